"""The embedded servers leave the virtualenv alone: as root they run as a service user from a copy of the
wheel's files under the data folder, and a folder above the data that others cannot pass through stays as
it is."""

import os
import pwd
import re
import socket
import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import devservices  # noqa: E402


def _modes(folder: Path) -> dict[str, int]:
    return {str(path): path.lstat().st_mode for path in [folder, *folder.rglob("*")]}


def test_the_service_users_copy_lives_in_the_data_folder_and_the_wheel_keeps_its_modes(tmp_path):
    wheel = devservices._package_dir("pgserver") / "pginstall"
    before = _modes(wheel)
    data = tmp_path / ".data" / "postgres"
    copy = devservices._server_files("pgserver", "pginstall", data, "rehabcare")
    assert copy.is_relative_to(tmp_path / ".data" / "servers")
    assert (copy / "bin" / "postgres").exists()
    postgres = (copy / "bin" / "postgres").stat().st_mode
    assert postgres & stat.S_IROTH and postgres & stat.S_IXOTH  # the service user may run it
    assert _modes(wheel) == before
    copied = copy.parents[1] / ".copied"  # written when a copy is complete
    marker = copied.stat().st_mtime_ns
    assert devservices._server_files("pgserver", "pginstall", data, "rehabcare") == copy
    assert copied.stat().st_mtime_ns == marker  # copied once


def test_without_a_service_user_the_wheels_own_files_are_used(tmp_path):
    files = devservices._server_files("pgserver", "pginstall", tmp_path / "postgres", None)
    assert files == devservices._package_dir("pgserver") / "pginstall"
    assert not (tmp_path / "servers").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _modes_on_the_way(folder: Path) -> dict[Path, int]:
    return {path: path.stat().st_mode for path in [folder, *folder.parents]}


as_root = pytest.mark.skipif(os.geteuid() != 0, reason="the service user is only used as root")


@pytest.mark.process  # starts a real PostgreSQL
@as_root
def test_a_folder_closed_to_others_above_the_data_stays_closed_and_the_server_still_reaches_its_data(
    tmp_path,
):
    closed = tmp_path / "private"
    data = closed / "project" / ".data" / "postgres"
    data.parent.mkdir(parents=True)
    closed.chmod(0o700)
    before = _modes_on_the_way(closed)
    postgres = devservices.Postgres(data, _free_port())
    assert postgres.start()
    try:
        assert postgres._psql("postgres", "SELECT 1") == "1"  # it answers
        postgres.ensure_roles()  # a DO block: PL/pgSQL's library is loaded from the copy
        server = int((data / "postmaster.pid").read_text().split()[0])
        status = Path(f"/proc/{server}/status").read_text()
        uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
        assert int(uid) == pwd.getpwnam(devservices.SERVICE_USER).pw_uid
    finally:
        postgres.stop()
    assert _modes_on_the_way(closed) == before
    assert stat.S_IMODE(closed.stat().st_mode) == 0o700


@as_root
def test_where_the_way_cannot_be_opened_without_a_permission_change_it_says_so_and_changes_nothing(
    tmp_path, monkeypatch
):
    def cannot(*_args):
        def preexec() -> None:
            raise PermissionError("no mount namespace here")

        return preexec

    monkeypatch.setattr(devservices, "_through_a_namespace", cannot)
    closed = tmp_path / "private"
    data = closed / "project" / ".data" / "postgres"
    data.parent.mkdir(parents=True)
    closed.chmod(0o700)
    before = _modes_on_the_way(closed)
    with pytest.raises(SystemExit) as stopped:
        devservices.Postgres(data, _free_port()).start()
    said = re.search(r"cannot pass through (\S+) to reach", str(stopped.value))
    assert said and Path(said[1]) in before and not before[Path(said[1])] & stat.S_IXOTH  # which folder
    assert "run as a user other than root" in str(stopped.value).lower()
    assert _modes_on_the_way(closed) == before
    assert not (data / "PG_VERSION").exists()
