"""The one CSV writer of the application: its cells never run as spreadsheet formulas.

A clinician opens an export in a spreadsheet, which reads a cell that begins with ``=``, ``+``, ``-``
or ``@`` as a formula (and one that begins with a tab or a carriage return as one after trimming), so a
patient named ``=HYPERLINK("http://x", "Open")`` would become a live link, or worse, in the clinic's
spreadsheet. Every text cell that begins with one of those characters is written with a single quote
in front (OWASP's advice for CSV injection), which spreadsheets show and never evaluate.

Numbers are exempt: an ``int``, ``float`` or ``Decimal`` is written as it is, so a negative figure such
as ``-3`` stays a number the spreadsheet can add up; it cannot carry a formula. Everything else (text,
dates, labels) is written as its text, neutralised. Every CSV the application writes goes through
``writer``; a test fails if a module of the product imports the standard ``csv`` module itself.
"""

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

# What a spreadsheet may take as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralise(value: Any) -> Any:
    """One cell as it is safe to write: numbers as they are, text beginning like a formula quoted."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SafeWriter:
    """``csv.writer``'s ``writerow`` and ``writerows``, every cell neutralised first."""

    def __init__(self, file: _Writable) -> None:
        self._writer = csv.writer(file)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(file: _Writable) -> SafeWriter:
    return SafeWriter(file)
