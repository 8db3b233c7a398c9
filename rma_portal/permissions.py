"""
Permissions that migrations grant to the warranty team's groups: one declaration per
migration, one helper for all of them.

    operations = [grant_to_warranty_team([("rma", "view_returnshipment")])]

Migrations written before this helper keep their own copies, as applied.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.management import create_permissions
from django.db import migrations

WARRANTY_GROUPS = ("Warranty agents", "Warranty supervisors")


def grant_to_warranty_team(
    permissions: Sequence[tuple[str, str]], groups: Sequence[str] = WARRANTY_GROUPS
) -> migrations.RunPython:
    """An operation that grants ``(app_label, codename)`` permissions to ``groups``, and revokes
    them when the migration is reversed."""

    def grant(apps, schema_editor) -> None:
        # Permissions are normally created after all migrations ran; these are needed now.
        for app_config in apps.get_app_configs():
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
        for name in groups:
            group, _created = group_model.objects.get_or_create(name=name)
            for app_label, codename in permissions:
                group.permissions.add(
                    permission_model.objects.get(content_type__app_label=app_label, codename=codename)
                )

    def revoke(apps, schema_editor) -> None:
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
        for group in group_model.objects.filter(name__in=groups):
            for app_label, codename in permissions:
                group.permissions.remove(
                    *permission_model.objects.filter(content_type__app_label=app_label, codename=codename)
                )

    return migrations.RunPython(grant, revoke)
