"""make backup / make restore: the database to one file and back, proven complete.

    python scripts/backup.py dump [FILE]       # pg_dump of the database (custom format)
    python scripts/backup.py restore FILE      # pg_restore into the database, replacing what is there

Both connect as the database's owner, DATABASE_OWNER_URL (else DATABASE_URL): only the owner may
replace the tables. The application's grants travel with the dump, so the roles they name must exist
where it is restored.

A dump comes with two files beside it: FILE.manifest.json, each table's row count and checksum (md5
of its rows in order) read in the very snapshot pg_dump copies, and FILE.sha256, the SHA-256 of the
dump and of the manifest. Restoring refuses a file whose checksum does not match, restores in one
transaction, then reads every table again and fails unless counts and checksums equal the manifest.
Stop the application before restoring: the restore replaces every table.

The pg_dump and pg_restore used are those on PATH, or the embedded server's when it is installed.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent


class BackupError(Exception):
    pass


def _tool(name: str) -> str:
    """The embedded server's client first (it matches that server's version), else the one on PATH."""
    try:
        import pgserver  # noqa: PLC0415 - optional: only with the embedded server

        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found: install the PostgreSQL client tools.")
    return found


def table_checksums(connection: psycopg.Connection) -> dict[str, list]:
    """Every table of the public schema: [row count, md5 of its rows as text, in order]."""
    tables = connection.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    result = {}
    for (table,) in tables:
        query = sql.SQL(
            "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
        ).format(sql.Identifier(table))
        count, digest = connection.execute(query).fetchone() or (0, "")
        result[table] = [count, digest]
    return result


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _beside(dump: Path, suffix: str) -> Path:
    return dump.with_name(dump.name + suffix)


def dump(url: str, path: Path) -> dict[str, list]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        (snapshot,) = connection.execute("SELECT pg_export_snapshot()").fetchone() or ("",)
        checksums = table_checksums(connection)
        subprocess.run(  # noqa: S603 - our own arguments
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "--file",
                str(path),
                url,
            ],
            check=True,
        )
        connection.execute("COMMIT")
    manifest = _beside(path, ".manifest.json")
    manifest.write_text(
        json.dumps({"taken_at": datetime.now(UTC).isoformat(), "tables": checksums}, indent=1, sort_keys=True)
    )
    _beside(path, ".sha256").write_text(
        f"{_sha256(path)}  {path.name}\n{_sha256(manifest)}  {manifest.name}\n"
    )
    return checksums


def _check_sums(path: Path) -> dict[str, list]:
    sums = _beside(path, ".sha256")
    manifest = _beside(path, ".manifest.json")
    if not sums.exists() or not manifest.exists():
        raise BackupError(f"{sums.name} and {manifest.name} must be beside the dump.")
    expected = {}
    for line in sums.read_text().splitlines():
        digest, _, name = line.partition("  ")
        expected[name] = digest
    for file in (path, manifest):
        if expected.get(file.name) != _sha256(file):
            raise BackupError(f"{file.name} does not match its checksum: it is damaged or was changed.")
    return json.loads(manifest.read_text())["tables"]


def restore(path: Path, url: str) -> dict[str, list]:
    expected = _check_sums(path)
    subprocess.run(  # noqa: S603 - our own arguments
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            url,
            str(path),
        ],
        check=True,
    )
    with psycopg.connect(url) as connection:
        restored = table_checksums(connection)
    differ = sorted(t for t in set(expected) | set(restored) if expected.get(t) != restored.get(t))
    if differ:
        raise BackupError(f"After restoring, these tables differ from the backup: {', '.join(differ)}")
    return restored


def main(argv: list[str]) -> int:
    url = os.environ.get("DATABASE_OWNER_URL") or os.environ.get("DATABASE_URL", "")
    if not url or len(argv) < 1 or argv[0] not in ("dump", "restore"):
        print(__doc__)
        return 2
    try:
        if argv[0] == "dump":
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            path = Path(argv[1]) if len(argv) > 1 else ROOT / "backups" / f"rehabcare-{stamp}.dump"
            tables = dump(url, path)
            print(f"Backed up {len(tables)} tables, {sum(n for n, _ in tables.values()):,} rows, to {path}")
        else:
            if len(argv) < 2:
                print("Give the dump to restore: make restore FILE=backups/rehabcare-....dump")
                return 2
            tables = restore(Path(argv[1]), url)
            print(f"Restored {len(tables)} tables; every row count and checksum matches the backup.")
    except (BackupError, subprocess.CalledProcessError) as error:
        print(f"backup: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
