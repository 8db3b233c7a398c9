from django.contrib import admin
from django.urls import include, path

from rma import admin_reports
from rma.help import HelpView
from rma.support import ContactSupportView, SupportSentView
from rma_portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *admin_reports.urls(),
    path("admin/", admin.site.urls),
    path("help/", HelpView.as_view(), name="help"),
    path("support/", ContactSupportView.as_view(), name="support"),
    path("support/sent/", SupportSentView.as_view(), name="support_sent"),
    path("", include("accounts.urls")),
    path("", include("rma.urls")),
    path("", include("payments.urls")),
]
