"""Compile every locale/*/LC_MESSAGES/*.po to its .mo with polib, without GNU gettext's msgfmt.

Fuzzy and obsolete entries are left out, as msgfmt leaves them (Django would otherwise show a guess to
a patient); a .mo is rewritten only when older than its .po. `make run` and `make test` run this first;
the .mo files are build output (.gitignore). Usage: python scripts/compile_messages.py [locale dir]
"""

import sys
from pathlib import Path

import polib  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent


def compile_po(po_path: Path) -> Path:
    catalog = polib.pofile(str(po_path))
    compiled = polib.POFile()
    compiled.metadata = catalog.metadata
    for entry in catalog:
        if entry.obsolete or entry.fuzzy:
            continue
        if not (entry.msgstr or any(entry.msgstr_plural.values())):
            continue
        compiled.append(entry)
    mo_path = po_path.with_suffix(".mo")
    compiled.save_as_mofile(str(mo_path))
    return mo_path


def main(locale_dir: Path) -> int:
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        compile_po(po_path)
        print(f"compiled {mo_path.relative_to(locale_dir.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "locale"))
