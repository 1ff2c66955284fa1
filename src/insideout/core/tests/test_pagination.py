"""Windows: pages of a list that is never counted."""

from __future__ import annotations

import pytest

from insideout.core.models import Event
from insideout.core.pagination import IdsFirst, window_of


@pytest.fixture
def events(db: None) -> list[int]:
    return [Event.objects.create(type="test.thing", subject_type="x", subject_id=str(n)).pk for n in range(5)]


@pytest.mark.parametrize(
    ("page", "number", "ids", "has_next", "has_previous"),
    [
        ("1", 1, [0, 1], True, False),
        ("2", 2, [2, 3], True, True),
        ("3", 3, [4], False, True),
        ("4", 4, [], False, True),
        (None, 1, [0, 1], True, False),
        ("zero", 1, [0, 1], True, False),
        ("-3", 1, [0, 1], True, False),
        ("999999999999", 100_000, [], False, True),
    ],
)
def test_a_window_reads_one_row_more_than_its_page_and_never_counts(
    events: list[int],
    page: str | None,
    number: int,
    ids: list[int],
    has_next: bool,
    has_previous: bool,
    django_assert_num_queries: object,
) -> None:
    source = IdsFirst(Event.objects.order_by("pk"))

    with django_assert_num_queries(2 if ids else 1):  # type: ignore[operator]
        window = window_of(source, page, 2)

    assert [events.index(event.pk) for event in window] == ids
    assert (window.number, window.has_next, window.has_previous) == (number, has_next, has_previous)
    assert window.has_other_pages() is (has_next or has_previous)
