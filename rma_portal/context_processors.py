"""Values every template may use."""

from django.conf import settings
from django.http import HttpRequest

from rma_portal.portal_name import portal_name_lazy


def portal(request: HttpRequest) -> dict:
    """The portal's name and contact points, for the base layout."""
    return {
        "PORTAL_NAME": portal_name_lazy(),
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
    }
