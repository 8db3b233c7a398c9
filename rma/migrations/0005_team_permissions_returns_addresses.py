"""The warranty team reads return shipments and records the shipping address on file."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    ("rma", "view_returnshipment"),
    ("rma", "view_shippingaddress"),
    ("rma", "add_shippingaddress"),
    ("rma", "change_shippingaddress"),
]
GROUPS = ("Warranty agents", "Warranty supervisors")


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran; these are needed now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in PERMISSIONS:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GROUPS):
        for app_label, codename in PERMISSIONS:
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [("rma", "0004_returns_and_shipping_address")]

    operations = [migrations.RunPython(grant, revoke)]
