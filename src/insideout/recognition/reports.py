"""People-ops' reports on recognition: the fair-play report of reciprocal rings, and the monthly
payroll and tax export of redemptions."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from insideout.people.models import Employee
from insideout.recognition.models import Boost, RecognitionRecipient, Redemption, RedemptionState

# A ring is flagged when every giver in it sent at least this share of all they gave in the period
# to the next person in it, and at least this many points along each arrow.
RING_SHARE = 0.5
RING_MIN_POINTS = 30


@dataclass(frozen=True)
class Arrow:
    giver_id: int
    recipient_id: int
    points: int
    share: float  # of everything the giver gave in the period


@dataclass(frozen=True)
class Ring:
    """People who give each other most of what they give: two (A ↔ B) or three (A → B → C → A)."""

    people: tuple[int, ...]
    arrows: tuple[Arrow, ...]

    @property
    def points(self) -> int:
        return sum(arrow.points for arrow in self.arrows)


def _given_pairs(start: datetime, end: datetime) -> dict[tuple[int, int], int]:
    """Points per (giver, recipient) in [start, end): recognitions and boosts together."""
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    for giver, recipient, total in (
        RecognitionRecipient.objects.filter(created_at__gte=start, created_at__lt=end, points__gt=0)
        .values("recognition__giver_id", "employee_id")
        .annotate(total=Sum("points"))
        .values_list("recognition__giver_id", "employee_id", "total")
    ):
        pairs[(giver, recipient)] += int(total or 0)
    for giver, recipient, total in (
        Boost.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("giver_id", "recognition__recipients__employee_id")
        .annotate(total=Sum("points"))
        .values_list("giver_id", "recognition__recipients__employee_id", "total")
    ):
        if recipient is not None:
            pairs[(giver, recipient)] += int(total or 0)
    return pairs


def rings_in(
    *, start: datetime, end: datetime, share: float = RING_SHARE, min_points: int = RING_MIN_POINTS
) -> list[Ring]:
    """Reciprocal rings of two or three people in [start, end), the most points first."""
    pairs = _given_pairs(start, end)
    given: dict[int, int] = defaultdict(int)
    for (giver, _recipient), points in pairs.items():
        given[giver] += points
    strong: dict[int, dict[int, Arrow]] = defaultdict(dict)
    for (giver, recipient), points in pairs.items():
        arrow_share = points / given[giver] if given[giver] else 0.0
        if points >= min_points and arrow_share >= share:
            strong[giver][recipient] = Arrow(giver, recipient, points, arrow_share)
    rings: dict[tuple[int, ...], Ring] = {}
    for a, arrows in strong.items():
        for b, ab in arrows.items():
            ba = strong.get(b, {}).get(a)
            if ba is not None:
                key = tuple(sorted((a, b)))
                rings.setdefault(key, Ring(people=key, arrows=(ab, ba)))
            for c, bc in strong.get(b, {}).items():
                ca = strong.get(c, {}).get(a)
                if c not in (a, b) and ca is not None:
                    key = tuple(sorted((a, b, c)))
                    rings.setdefault(key, Ring(people=key, arrows=(ab, bc, ca)))
    return sorted(rings.values(), key=lambda ring: (-ring.points, ring.people))


# --- payroll -------------------------------------------------------------------------------------


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return datetime.combine(first, time(), zone), datetime.combine(following, time(), zone)


def payroll_rows(*, month: date) -> list[tuple[str, str, Decimal, str]]:
    """Per person, the money value of the redemptions issued in the month: (name, employee id,
    value, currency), by name. Cancelled redemptions are not income."""
    start, end = _month_bounds(month)
    totals = (
        Redemption.objects.filter(state=RedemptionState.ISSUED, decided_at__gte=start, decided_at__lt=end)
        .values("employee_id", "currency")
        .annotate(cents=Sum("value_cents"))
    )
    people = {
        person.pk: person
        for person in Employee.objects.filter(pk__in=[row["employee_id"] for row in totals]).select_related("user")
    }
    rows = [
        (
            people[row["employee_id"]].name,
            people[row["employee_id"]].employee_id,
            (Decimal(int(row["cents"] or 0)) / 100).quantize(Decimal("0.01")),
            row["currency"],
        )
        for row in totals
    ]
    return sorted(rows, key=lambda row: (row[0], row[1]))


# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection); the names
# and ids come from the directory, which people and HR imports fill.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: one that could start a formula gets a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def payroll_csv(*, month: date) -> str:
    """The payroll and tax export as CSV, with a header row; text cells are kept from being read
    as formulas (the values are numbers this module writes)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "employee_id", "month", "value", "currency"])
    for name, employee_id, value, currency in payroll_rows(month=month):
        writer.writerow(
            [csv_cell(name), csv_cell(employee_id), month.strftime("%Y-%m"), f"{value:.2f}", csv_cell(currency)]
        )
    return out.getvalue()


def points_value(points: int) -> Decimal:
    """What points are worth in the organisation's currency."""
    per_unit = max(1, int(settings.RECOGNITION_POINTS_PER_CURRENCY_UNIT))
    return (Decimal(points) / per_unit).quantize(Decimal("0.01"))
