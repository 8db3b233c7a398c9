from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from accounts.views import set_language
from rma.backoffice import claims as backoffice_claims
from rma.backoffice import views as backoffice_views
from rma.support.views import ContactSupportView, HelpView, ScreenshotFileView, SupportSentView
from rma_portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *backoffice_claims.urls(),
    *backoffice_views.urls(),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("help/", HelpView.as_view(), name="help"),
    path("support/", ContactSupportView.as_view(), name="support"),
    path("support/sent/", SupportSentView.as_view(), name="support_sent"),
    path(
        "support/screenshots/<int:screenshot_id>/<str:variant>/",
        ScreenshotFileView.as_view(),
        name="support_screenshot",
    ),
    path("", include("accounts.urls")),
    path("", include("rma.urls")),
    path("", include("payments.urls")),
]

# The error pages, in the portal's layout (rma_portal.errors).
handler400 = "rma_portal.errors.bad_request"
handler403 = "rma_portal.errors.permission_denied"
handler404 = "rma_portal.errors.page_not_found"
handler500 = "rma_portal.errors.server_error"
