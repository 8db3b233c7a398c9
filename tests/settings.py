"""The portal's settings, with the test-only app that declares an extra part and status."""

from rma_portal.settings import *  # noqa: F403
from rma_portal.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.extra_part"]
