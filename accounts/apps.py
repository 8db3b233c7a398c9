from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default = True

    def ready(self) -> None:
        import logging

        from django.contrib.auth.signals import user_logged_in

        from accounts.languages import remember_language_at_sign_in
        from accounts.middleware import stamp_sign_in
        from accounts.permission_cache import connect_signals
        from accounts.tasks import RedactSecretTaskArguments

        logging.getLogger("celery.app.trace").addFilter(RedactSecretTaskArguments())
        user_logged_in.connect(stamp_sign_in, dispatch_uid="accounts.stamp_sign_in")
        user_logged_in.connect(remember_language_at_sign_in, dispatch_uid="accounts.language_at_sign_in")
        connect_signals()  # the staff's cached permissions follow every change


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose default site asks staff for a TOTP code after the password."""

    default = False  # only used where INSTALLED_APPS names it
    default_site = "accounts.admin_site.PortalAdminSite"
