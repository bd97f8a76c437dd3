"""Lists that count only as far as anyone pages.

A clinic admin's patient list covers the whole network: counting 100,000 rows for every page costs a
full scan each time, and nobody pages past the first few hundred pages (a search or a filter narrows
the list instead). ``CappedPaginator`` counts at most ``CAP`` rows (one ``count(*)`` over a
``LIMIT``ed subquery) and offers that many rows' pages; the page says "more than" when the list goes on.
"""

from functools import cached_property

from django.core.paginator import Paginator

CAP = 10_000


class CappedPaginator(Paginator):
    cap = CAP

    @cached_property
    def counted(self) -> int:
        """Rows counted, at most one past the cap."""
        return self.object_list[: self.cap + 1].count()  # type: ignore[attr-defined]

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def more(self) -> bool:
        """The list goes on past the rows the pages offer."""
        return self.counted > self.cap
