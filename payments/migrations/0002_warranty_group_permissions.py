"""The warranty team reads supplementary payments and receipts, and acts on them through admin actions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    ("payments", "view_supplementarypayment"),
    ("payments", "change_supplementarypayment"),
    ("payments", "view_paymentreceipt"),
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
    dependencies = [
        ("payments", "0001_initial"),
        ("rma", "0002_warranty_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
