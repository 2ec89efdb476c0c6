"""Pagination that never counts more than a bounded number of rows.

`COUNT(*)` over a large filtered set (a text search across 100,000 products) costs as much as
the search itself; a page only needs to know whether there is a next page. `CappedPaginator`
counts at most `cap` rows: below the cap the page says "Page 3 of 12", above it "Page 3" and
"more than 10,000".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from django.db.models import QuerySet

DEFAULT_COUNT_CAP = 10_000
# Beyond any real list, and small enough that (page - 1) * per_page stays a 64-bit OFFSET:
# `?page=99999999999999999999` otherwise overflows the database's integer.
MAX_PAGE_NUMBER = 1_000_000


@dataclass
class CappedCount:
    count: int | None  # None: more than `cap`
    num_pages: int | None
    cap: int


@dataclass
class CappedPage:
    object_list: list
    number: int
    per_page: int
    paginator: CappedCount
    _has_next: bool = field(default=False, repr=False)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def page_number(raw: object) -> int:
    """The page asked for, between 1 and MAX_PAGE_NUMBER; 1 when it is not a number."""
    try:
        return min(max(1, int(str(raw)[:20])), MAX_PAGE_NUMBER)
    except (TypeError, ValueError):
        return 1


def capped_page(
    queryset: QuerySet, raw_page: object, per_page: int, cap: int | None = None
) -> CappedPage:
    """One page of `queryset`, in one query when the rows end on this page, else two.

    The rows come first (one more than a page, to know whether another follows). When they
    end on this page the total is known without counting; otherwise a count bounded by `cap`
    runs. A page number past the end falls back to the last page.
    """
    cap = cap or DEFAULT_COUNT_CAP
    number = page_number(raw_page)
    rows = _rows(queryset, number, per_page)
    if len(rows) <= per_page and (rows or number == 1):
        count: int | None = (number - 1) * per_page + len(rows)
    else:
        counted = queryset.order_by()[: cap + 1].count()
        count = counted if counted <= cap else None
        if not rows and count is not None:  # past the end: show the last page
            number = max(1, ceil(count / per_page))
            rows = _rows(queryset, number, per_page)
    num_pages = max(1, ceil(count / per_page)) if count is not None else None
    return CappedPage(
        object_list=rows[:per_page],
        number=number,
        per_page=per_page,
        paginator=CappedCount(count=count, num_pages=num_pages, cap=cap),
        _has_next=len(rows) > per_page,
    )


def _rows(queryset: QuerySet, number: int, per_page: int) -> list:
    offset = (number - 1) * per_page
    return list(queryset[offset : offset + per_page + 1])
