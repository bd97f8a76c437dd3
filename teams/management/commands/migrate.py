"""Django's migrate, run as the database's owner; then the application's role is granted what it needs.

See ``teams/database_roles.py``. Every ``migrate`` resolves to this command, the test database's
creation included.
"""

from django.conf import settings
from django.core.management.commands import migrate
from django.db import connections

from teams.database_roles import app_role_grant, connected_as_owner


class Command(migrate.Command):
    help = (
        "Migrate as the database's owner (DATABASE_OWNER_URL), then grant the application's role "
        "(DATABASE_APP_ROLE) what it needs."
    )

    def handle(self, *args, **options) -> None:
        connection = connections[options["database"]]
        with connected_as_owner(connection):
            super().handle(*args, **options)
            if options["plan"] or options["check_unapplied"]:
                return
            if app_role_grant(connection=connection, role=settings.DATABASE_APP_ROLE):
                if options["verbosity"] >= 1:
                    self.stdout.write(
                        f"Granted the application's role {settings.DATABASE_APP_ROLE} its privileges."
                    )
