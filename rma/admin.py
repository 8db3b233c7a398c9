"""The admin pages of the ``rma`` app, one module per sub-domain, loaded here for Django's
admin autodiscovery."""

from rma.backoffice import admin as backoffice_admin
from rma.inbound import admin as inbound_admin
from rma.required import admin as required_admin
from rma.support import admin as support_admin

__all__ = ["backoffice_admin", "inbound_admin", "required_admin", "support_admin"]
