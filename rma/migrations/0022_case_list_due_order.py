"""The case list sorted by due date, the cases without one last either way
(rma.backoffice.ordering): two indexes in those orders, on PostgreSQL.

SQLite cannot build an index with ``NULLS LAST`` (its small lists sort without one), so
the indexes are made here rather than declared on the model."""

from django.db import migrations

INDEXES = {
    "rma_case_due": "(due_at ASC NULLS LAST, id ASC)",
    "rma_case_due_desc": "(due_at DESC NULLS LAST, id DESC)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON rma_case {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("rma", "0021_inbound_mail_and_replies_by_email")]

    operations = [migrations.RunPython(create, drop)]
