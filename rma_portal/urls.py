from django.contrib import admin
from django.urls import include, path

from rma import admin_reports
from rma.help import HelpView
from rma_portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *admin_reports.urls(),
    path("admin/", admin.site.urls),
    path("help/", HelpView.as_view(), name="help"),
    path("", include("accounts.urls")),
    path("", include("rma.urls")),
    path("", include("payments.urls")),
]
