"""The embedded servers leave the virtualenv alone: as root they run as a service user from a copy of the
wheel's files under the data folder; a folder above the data that others cannot pass through is opened
for passing through only."""

import os
import pwd
import stat
import sys
from pathlib import Path

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


def test_a_folder_closed_to_others_above_the_data_is_opened_for_passing_through_only(tmp_path):
    closed = tmp_path / "private"
    data = closed / "project" / ".data" / "postgres"
    data.mkdir(parents=True)
    closed.chmod(0o700)
    user = pwd.getpwuid(os.getuid()).pw_name
    devservices._open_path_for(user, data)
    assert stat.S_IMODE(closed.stat().st_mode) == 0o701  # not listable, not writable by others
