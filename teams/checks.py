"""Deployment checks of the teams app, run by ``manage.py check --deploy``."""

from django.core.checks import Error, Tags, register
from django.db import DatabaseError, connection

from teams.database_roles import AUDIT_TABLE, audit_trail_exposures

HINT = (
    "Connect the application (DATABASE_URL) as a role that owns nothing and run migrations as the "
    "database's owner (DATABASE_OWNER_URL): see README, Production."
)


@register(Tags.security, deploy=True)
def audit_trail_role_check(app_configs=None, databases=None, **kwargs) -> list[Error]:
    """The application's database role may only read the audit trail and add to it."""
    try:
        exposures = audit_trail_exposures(connection)
    except DatabaseError as error:
        return [
            Error(
                f"The database role could not be checked: {error}".strip(),
                hint="The deploy check needs the database the application uses (DATABASE_URL).",
                id="teams.E002",
            )
        ]
    if not exposures:
        return []
    return [
        Error(
            f"The application's database role could alter the audit trail ({AUDIT_TABLE}): "
            f"{'; '.join(exposures)}.",
            hint=HINT,
            id="teams.E001",
        )
    ]
