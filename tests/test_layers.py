"""The house's floors: each package imports only the ones below it, so a change at the top never reaches
down. Read from the source (every import, function-local and type-checking ones included)."""

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Top to bottom. A package may import any package after it, never one before it.
LAYERS = [
    *["conferences", "adherence", "checkins", "routing", "careplans"],
    *["screening", "training", "teams", "core"],
]
# The project package is wiring (settings, URLs, Celery, WSGI): it may import every app; no app imports it.
PROJECT = "rehabcare"


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def _upward(package: str, source: Path) -> list[str]:
    allowed = set(LAYERS[LAYERS.index(package) + 1 :])
    ours = {*LAYERS, PROJECT}
    offenders = []
    for path in sorted(source.rglob("*.py")):
        for line, imported in _imports(path):
            if imported in ours and imported != package and imported not in allowed:
                offenders.append(f"{path.relative_to(source.parent)}:{line} imports {imported}")
    return offenders


@pytest.mark.parametrize("package", LAYERS)
def test_each_package_imports_only_the_packages_below_it(package):
    assert _upward(package, ROOT / package) == []


def test_the_check_catches_an_upward_import(tmp_path):
    package = tmp_path / "teams"
    package.mkdir()
    (package / "services.py").write_text(
        "from core.queue import enqueue\n\n\ndef f():\n    from conferences import x\n"
    )
    (package / "urls.py").write_text("import rehabcare.settings\n")
    assert _upward("teams", package) == [
        "teams/services.py:5 imports conferences",
        "teams/urls.py:1 imports rehabcare",
    ]


def test_the_layers_are_every_package_of_the_application():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    tools = {"tests", "scripts", "benchmarks", "reliability"}
    assert packages - tools == {*LAYERS, PROJECT}


def _queued_task_names() -> list[tuple[str, str]]:
    """(module, dotted name) of every task a module queues by name."""
    found = []
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", ""))
                    in ("enqueue", "enqueue_on_commit")
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.append((str(path.relative_to(ROOT)), node.args[0].value))
    return found


def test_a_task_queued_by_name_is_a_task_of_the_same_app():
    from celery import Task

    queued = _queued_task_names()
    assert len(queued) >= 6  # the check reads something
    for module, name in queued:
        task_module, _, function = name.rpartition(".")
        assert task_module == module.split("/")[0] + ".tasks", (module, name)
        assert isinstance(getattr(importlib.import_module(task_module), function), Task), (module, name)
