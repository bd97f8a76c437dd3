"""Make the audit trail append-only in PostgreSQL itself, whatever the application does.

TRUNCATE is left to the table's owner: the test suite's database flush needs it,
and in production the application connects as a role that does not own the table
(see README, "Production").
"""

from django.db import migrations

from core.db import reject_update_delete_sql


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]

    operations = [
        migrations.RunSQL(
            *reject_update_delete_sql(table="teams_auditevent", message="the audit trail is append-only")
        )
    ]
