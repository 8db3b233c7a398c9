from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import SignInEvent, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    # What someone who may only view customer accounts (``accounts.view_customer``) sees.
    customer_fieldsets = (
        (None, {"fields": ("email", "full_name", "language", "last_login", "date_joined")}),
    )

    def _views_customers_only(self, request: HttpRequest) -> bool:
        return not super().has_view_permission(request) and request.user.has_perm("accounts.view_customer")

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if super().has_view_permission(request, obj):
            return True
        return request.user.has_perm("accounts.view_customer") and (obj is None or not obj.is_staff)

    def get_queryset(self, request: HttpRequest):
        users = super().get_queryset(request)
        return users.filter(is_staff=False) if self._views_customers_only(request) else users

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None):
        if obj is not None and self._views_customers_only(request):
            return self.customer_fieldsets
        return super().get_fieldsets(request, obj)

    def get_list_filter(self, request: HttpRequest):
        return ("is_active",) if self._views_customers_only(request) else super().get_list_filter(request)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The languages come from the settings, so the model holds no choices (no migration
        # for a new language); the form offers them.
        if db_field.name == "language":
            return forms.ChoiceField(
                label=db_field.verbose_name,
                help_text=db_field.help_text,
                choices=[("", "—"), *settings.LANGUAGES],
                required=False,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    """The sign-in audit log: readable by staff, changed by nobody."""

    list_display = ("created_at", "kind", "email", "user", "ip_address", "user_agent")
    list_filter = ("kind", "created_at")
    search_fields = ("email", "user__email", "ip_address")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = ("created_at", "kind", "user", "email", "ip_address", "user_agent")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SignInEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SignInEvent | None = None) -> bool:
        return False
