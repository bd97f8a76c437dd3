"""The database's two roles: the owner, that migrations run as, and the application's, that owns nothing.

``manage.py migrate`` (``teams/management/commands/migrate.py``) connects with the owner's user and
password (``settings.DATABASE_OWNER``) and then grants the application's role
(``settings.DATABASE_APP_ROLE``) what it needs: reading and writing every table of the schema and
using its sequences, except the audit trail, which it may only read and add to (sealing an event at
commit is a ``SECURITY DEFINER`` function of the owner's, teams migration 0009), and
``django_migrations``, which only migrations write. The grants are made again after every migrate,
as each may add tables; nothing is granted by default on tables made any other way, so a table
missed fails loudly instead of being left open.

``audit_trail_exposures`` says how the roles a connection acts as could still alter the audit trail:
the deploy check (``teams/checks.py``) fails on any.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

AUDIT_TABLE = "teams_auditevent"
# Read and added to, never changed: PostgreSQL refuses UPDATE and DELETE on the audit trail (teams
# migration 0002) and TRUNCATE is the owner's, but the role does not even hold the privileges.
APPEND_ONLY_TABLES = (AUDIT_TABLE,)
READ_ONLY_TABLES = ("django_migrations",)
CREDENTIALS = ("USER", "PASSWORD")


@contextmanager
def connected_as_owner(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """``connection`` logged in as the database's owner for the block, then as itself again.

    Only the user and password change: the server and database stay the connection's (a test
    database is migrated as the owner too). A no-op when the owner is who the connection logs in as.
    """
    own = {key: connection.settings_dict[key] for key in CREDENTIALS}
    owner = {key: settings.DATABASE_OWNER[key] for key in CREDENTIALS}
    if connection.alias != DEFAULT_DB_ALIAS or owner == own:
        yield
        return
    connection.close()
    connection.settings_dict.update(owner)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(own)


def app_role_grant(*, connection: BaseDatabaseWrapper, role: str) -> bool:
    """Give ``role`` exactly the application's privileges on the schema's tables and sequences, taking
    back any others; run as the owner. False, and nothing done, when ``role`` is the connection's own:
    one role for both (the owner's privileges cannot be narrowed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        user, schema = cursor.fetchone()
        if role == user:
            return False
        grantee, schema = connection.ops.quote_name(role), connection.ops.quote_name(schema)
        statements = [
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {grantee}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {grantee}",
            f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {grantee}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}",
            *(f"REVOKE UPDATE, DELETE ON {table} FROM {grantee}" for table in APPEND_ONLY_TABLES),
            *(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {grantee}" for table in READ_ONLY_TABLES),
        ]
        with transaction.atomic(using=connection.alias):
            for statement in statements:
                cursor.execute(statement)
    return True


# Each role the session acts as (its login, and the role it has switched to, if any: it could switch
# back) with whatever would let it change, remove or skip the audit trail's rows or triggers.
EXPOSURES_SQL = """
SELECT r.rolname, r.rolsuper,
       t.oid IS NOT NULL AND pg_has_role(r.oid, t.relowner, 'MEMBER'),
       pg_get_userbyid(t.relowner),
       coalesce(array_remove(ARRAY[
           CASE WHEN has_table_privilege(r.oid, t.oid, 'UPDATE') THEN 'UPDATE' END,
           CASE WHEN has_table_privilege(r.oid, t.oid, 'DELETE') THEN 'DELETE' END,
           CASE WHEN has_table_privilege(r.oid, t.oid, 'TRUNCATE') THEN 'TRUNCATE' END,
           CASE WHEN has_table_privilege(r.oid, t.oid, 'TRIGGER') THEN 'TRIGGER' END
       ], NULL), '{{}}'),
       {replication}
FROM pg_roles r
LEFT JOIN pg_class t ON t.oid = to_regclass(%s)
WHERE r.rolname IN (session_user, current_user)
ORDER BY r.rolname
"""
# session_replication_role = replica switches ordinary triggers off; PostgreSQL 15 lets it be granted.
REPLICATION_15 = "has_parameter_privilege(r.oid, 'session_replication_role', 'SET')"
REPLICATION_OLDER = "r.rolsuper"


def audit_trail_exposures(connection: Any) -> list[str]:
    """How the roles ``connection`` (Django's or psycopg's) acts as could alter the audit trail, one
    sentence each; empty when they can only read it and add to it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        (version,) = cursor.fetchone()
        replication = REPLICATION_15 if version >= 150000 else REPLICATION_OLDER
        cursor.execute(EXPOSURES_SQL.format(replication=replication), [AUDIT_TABLE])
        rows = cursor.fetchall()
    found = []
    for role, superuser, owns, owner, privileges, may_switch_off in rows:
        if superuser:
            found.append(f"the role {role} is a superuser")
            continue
        if owns:
            found.append(
                f"the role {role} owns {AUDIT_TABLE}"
                if role == owner
                else f"the role {role} is a member of {owner}, which owns {AUDIT_TABLE}"
            )
        elif privileges:
            found.append(f"the role {role} holds {', '.join(privileges)} on {AUDIT_TABLE}")
        if may_switch_off:
            found.append(f"the role {role} may set session_replication_role, which switches triggers off")
    return found
