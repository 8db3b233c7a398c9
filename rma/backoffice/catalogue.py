"""The catalogue in admin: the return warehouses, the products, and their registrations."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model

from rma.cases.models import Product, Registration, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "country", "is_active")
    list_filter = ("is_active", "country")
    search_fields = ("name", "city", "postal_code")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("model_name", "category", "condition")
    list_filter = ("condition", "category")
    search_fields = ("model_name", "category")


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("serial_number", "product", "registered_on", "email")
    list_filter = ("product__condition",)
    list_select_related = ("product",)
    search_fields = ("serial_number", "email", "product__model_name")
    autocomplete_fields = ("product",)
    readonly_fields = ("customer",)
    fields = ("product", "serial_number", "registered_on", "email", "customer")
    date_hierarchy = "registered_on"

    def save_model(self, request, obj, form, change):
        # Tied to the customer's account when the address is one (kept empty otherwise).
        obj.customer = get_user_model().objects.with_email(obj.email).filter(is_staff=False).first()
        super().save_model(request, obj, form, change)
