"""The two staff groups of the warranty team, with the permissions each role needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT_PERMISSIONS = [
    ("rma", "view_case"),
    ("rma", "add_case"),
    ("rma", "change_case"),
    ("rma", "view_caseitem"),
    ("rma", "add_caseitem"),
    ("rma", "change_caseitem"),
    ("rma", "delete_caseitem"),
    ("rma", "view_caseevent"),
    ("rma", "view_casemessage"),
    ("rma", "add_casemessage"),
    ("rma", "view_warehouse"),
]
SUPERVISOR_PERMISSIONS = AGENT_PERMISSIONS + [
    ("rma", "approve_case"),
    ("rma", "add_warehouse"),
    ("rma", "change_warehouse"),
]
GROUPS = {
    "Warranty agents": AGENT_PERMISSIONS,
    "Warranty supervisors": SUPERVISOR_PERMISSIONS,
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; this one needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for app_label, codename in wanted:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("rma", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_permissions)]
