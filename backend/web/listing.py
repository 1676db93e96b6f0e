"""Sorting and paging of the tables on the pages: pure, read from the query string.

Every table of ``/manage`` and ``/dashboard`` is paginated and sorted on the server, so that a page
without JavaScript works and a query is always bounded. Unknown sort keys fall back to the default;
the page size is capped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

MAX_PER_PAGE: Final = 200
T = TypeVar("T")


@dataclass(frozen=True)
class Listing:
    page: int
    per_page: int
    sort: str
    descending: bool

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def order_for(self, key: str) -> str:
        """The order a click on column ``key`` asks for: flips when it is the current one."""
        if key == self.sort:
            return "asc" if self.descending else "desc"
        return "asc"


def parse_listing(
    query: Mapping[str, str],
    sortable: Sequence[str],
    *,
    default_sort: str,
    default_descending: bool = False,
    per_page: int = 25,
) -> Listing:
    sort = query.get("sort") or default_sort
    if sort not in sortable:
        sort = default_sort
    order = query.get("order")
    descending = (
        default_descending if order not in ("asc", "desc") and sort == default_sort else order == "desc"
    )
    return Listing(
        page=_positive(query.get("page"), 1, 100_000),
        per_page=_positive(query.get("per_page"), per_page, MAX_PER_PAGE),
        sort=sort,
        descending=descending,
    )


def _positive(text: str | None, default: int, cap: int) -> int:
    try:
        value = int(text or "")
    except ValueError:
        return default
    return min(max(value, 1), cap)


@dataclass(frozen=True)
class PageOf(Generic[T]):
    """One page of a table and what the pager needs."""

    items: list[T]
    total: int
    listing: Listing

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.listing.per_page))

    @property
    def has_previous(self) -> bool:
        return self.listing.page > 1

    @property
    def has_next(self) -> bool:
        return self.listing.page < self.pages
