"""SQL the migrations share."""


def reject_update_delete_sql(*, table: str, message: str) -> tuple[str, str]:
    """A trigger that makes PostgreSQL refuse UPDATE and DELETE on ``table``: (forward, backward) SQL.

    Rows of such a table can only be added, whatever the application does.
    """
    function = f"{table}_reject_update_delete"
    forward = f"""
CREATE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{message}: % is not allowed on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER {table}_no_update_delete
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    backward = f"""
DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};
DROP FUNCTION IF EXISTS {function}();
"""
    return forward, backward
