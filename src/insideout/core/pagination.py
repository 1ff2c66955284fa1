"""Paging that stays fast deep into long, joined lists."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, overload

from django.db.models import Model, QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

M = TypeVar("M", bound=Model)
T = TypeVar("T")
U = TypeVar("U")
T_co = TypeVar("T_co", covariant=True)


class Slices(Protocol[T_co]):
    """What ``window_of`` pages through: anything that slices into a list (``IdsFirst``, ``Loaded``)."""

    def __getitem__(self, key: slice, /) -> Sequence[T_co]: ...


class CountedSlices(Slices[T_co], Protocol[T_co]):
    """A ``Slices`` that also counts its rows, as the API's numbered pages need."""

    def count(self) -> int: ...


class IdsFirst(Generic[M]):
    """A queryset wrapper for Django's ``Paginator`` and ninja's pagination.

    Slicing first reads only the primary keys of the page (an index-only walk when the ordering
    has a covering index), then loads those rows with all their joins. A plain slice would build
    and join every skipped row before the offset: page 1,000 of 100,000 people took seconds.
    """

    def __init__(self, queryset: QuerySet[M], *, count: int | None = None) -> None:
        self.queryset = queryset
        # A count the caller already has (e.g. a queue's, from the counts above it) saves a query.
        self._count: int | None = count

    def count(self) -> int:
        if self._count is None:
            self._count = self.queryset.order_by().count()
        return self._count

    def all(self) -> IdsFirst[M]:
        return self

    def __len__(self) -> int:
        return self.count()

    @property
    def ordered(self) -> bool:
        return True

    @overload
    def __getitem__(self, key: int) -> M: ...

    @overload
    def __getitem__(self, key: slice) -> list[M]: ...

    def __getitem__(self, key: int | slice) -> M | list[M]:
        if isinstance(key, int):
            return self[key : key + 1][0]
        ids = self.ids(key)
        if not ids:
            return []
        by_pk: dict[Any, M] = {row.pk: row for row in self.queryset.order_by().filter(pk__in=ids)}
        return [by_pk[pk] for pk in ids if pk in by_pk]

    def ids(self, key: slice) -> list[Any]:
        """The primary keys of a slice, in the queryset's order."""
        return list(self.queryset.values_list("pk", flat=True)[key])

    def __iter__(self) -> Iterator[M]:
        return iter(self.queryset)


class _Wrapper:
    """A page source built on another: it counts what its source counts."""

    source: CountedSlices[Any]

    def count(self) -> int:
        return self.source.count()

    def __len__(self) -> int:
        return self.source.count()


class Loaded(_Wrapper, Generic[T]):
    """A page source that reads the primary keys of the page (``IdsFirst.ids``) and hands them to
    ``load``, which returns what to show by key (plain values rather than model rows, say); keys
    it leaves out are skipped."""

    source: IdsFirst[Any]

    def __init__(self, source: IdsFirst[Any], load: Callable[[list[Any]], Mapping[Any, T]]) -> None:
        self.source = source
        self.load = load

    def __getitem__(self, key: slice) -> list[T]:
        ids = self.source.ids(key)
        found = self.load(ids) if ids else {}
        return [found[pk] for pk in ids if pk in found]


class Mapped(_Wrapper, Generic[U, T]):
    """A page source whose rows are turned into something else (e.g. the API's dicts) after slicing.

    For the API's lists: ninja validates a dict without calling a schema's resolvers one attribute
    at a time, and the mapping sees the whole page, so what every row shares is worked out once.
    """

    def __init__(self, source: CountedSlices[U], mapping: Callable[[list[U]], list[T]]) -> None:
        self.source = source
        self.mapping = mapping

    def __getitem__(self, key: slice) -> list[T]:
        return self.mapping(list(self.source[key]))


# Deeper than any real list; bounds the OFFSET a client can ask the database for.
MAX_PAGE = 100_000


class Pagination(PageNumberPagination):
    """The API's numbered pages; ``page`` is bounded so a huge number is a 422, not a database overflow."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, description="Items per page; larger values are capped.")


@dataclass(frozen=True)
class Window(Generic[T]):
    """One page of a list too long to count on every view (a wall of a million recognitions).

    It says whether a page comes before and after it, as Django's ``Page`` does, but not how many
    there are: one row more than the page is read to know whether another follows.
    """

    object_list: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __len__(self) -> int:
        return len(self.object_list)

    def __iter__(self) -> Iterator[T]:
        return iter(self.object_list)


def window_of(source: Slices[T], page: object, size: int) -> Window[T]:
    """The ``page``-th window of ``size`` rows (a number from the query string; anything else is
    the first page, and a number past the end an empty window after the last)."""
    try:
        number = min(max(1, int(str(page))), MAX_PAGE)
    except ValueError:
        number = 1
    start = (number - 1) * size
    rows = source[start : start + size + 1]
    return Window(object_list=list(rows[:size]), number=number, has_next=len(rows) > size)
