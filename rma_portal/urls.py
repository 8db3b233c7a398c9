from django.contrib import admin
from django.urls import include, path

from rma.backoffice import views as backoffice_views
from rma.support.views import ContactSupportView, HelpView, SupportSentView
from rma_portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *backoffice_views.urls(),
    path("admin/", admin.site.urls),
    path("help/", HelpView.as_view(), name="help"),
    path("support/", ContactSupportView.as_view(), name="support"),
    path("support/sent/", SupportSentView.as_view(), name="support_sent"),
    path("", include("accounts.urls")),
    path("", include("rma.urls")),
    path("", include("payments.urls")),
]
