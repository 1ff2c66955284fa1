"""Write use-cases of recognition. Each is atomic, checks who may do it, moves points only through
``ledger.py``, and records its events.

A recognition names people (or a whole team's members), a message and values, and may give each
recipient the same number of points from the giver's monthly allowance. Its visibility is the most
private of the recipients' recognition preferences: one person who prefers *private* makes it
private. Anyone else may boost a public one with points of their own allowance, to each recipient.
Fair play: nobody recognises or boosts themselves, and a giver may give one person at most
``RECOGNITION_PAIR_CAP`` points a month.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from insideout.core.errors import Conflict, Forbidden
from insideout.core.events import event_record
from insideout.core.text import as_id, clean_text
from insideout.people.models import Employee, Unit, User
from insideout.recognition import ledger
from insideout.recognition.models import (
    AccountKind,
    Boost,
    Recognition,
    RecognitionRecipient,
    Value,
    Visibility,
)

RECOGNITION_GIVEN = "recognition.given"
RECOGNITION_BOOSTED = "recognition.boosted"

MAX_MESSAGE = 2000
MAX_RECIPIENTS = 50
MAX_POINTS = 1_000_000
# The most private preference wins: the order from open to closed.
_OPENNESS: list[str] = [Visibility.PUBLIC, Visibility.TEAM, Visibility.PRIVATE]


def _member(actor: User | None) -> Employee:
    employee = (
        Employee.objects.select_related("unit").filter(user=actor, is_active=True).first()
        if actor is not None and actor.is_authenticated
        else None
    )
    if employee is None:
        raise Forbidden(_("Only members of the organisation can do this."))
    return employee


def _points(value: object, *, field: str, errors: dict[str, list[str]]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = [_("Give points as a whole number.")]
        return 0
    if value < 0:
        errors[field] = [_("Points cannot be negative.")]
        return 0
    if value > MAX_POINTS:
        errors[field] = [_("Give at most 1,000,000 points.")]
        return 0
    return value


def visibility_for(preferences: Sequence[str]) -> str:
    """The most private of the recipients' recognition preferences (public when there are none)."""
    ranks = [_OPENNESS.index(pref) for pref in preferences if pref in _OPENNESS]
    return _OPENNESS[max(ranks)] if ranks else Visibility.PUBLIC


def _month_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def pair_given(*, giver_id: int, recipient_ids: Sequence[int], now: datetime) -> dict[int, int]:
    """Points the giver gave each of these people this month, recognitions and boosts together."""
    start = _month_start(now)
    given: dict[int, int] = dict.fromkeys(recipient_ids, 0)
    rows = (
        RecognitionRecipient.objects.filter(
            recognition__giver_id=giver_id, employee_id__in=recipient_ids, created_at__gte=start
        )
        .values("employee_id")
        .annotate(total=Sum("points"))
    )
    for row in rows:
        given[row["employee_id"]] += int(row["total"] or 0)
    boosts = (
        Boost.objects.filter(
            giver_id=giver_id, recognition__recipients__employee_id__in=recipient_ids, created_at__gte=start
        )
        .values("recognition__recipients__employee_id")
        .annotate(total=Sum("points"))
    )
    for employee_id, total in boosts.values_list("recognition__recipients__employee_id", "total"):
        given[employee_id] += int(total or 0)
    return given


def pair_cap_refusal(giver: Employee, recipients: Sequence[Employee], points: int, now: datetime) -> str:
    """Why ``points`` each to ``recipients`` would pass the monthly cap of one giver to one person
    (``RECOGNITION_PAIR_CAP``), with how many points are still possible; empty when they would not."""
    cap = int(settings.RECOGNITION_PAIR_CAP)
    if points <= 0 or cap <= 0 or not recipients:
        return ""
    given = pair_given(giver_id=giver.pk, recipient_ids=[person.pk for person in recipients], now=now)
    over = [person for person in recipients if given[person.pk] + points > cap]
    if not over:
        return ""
    names = ", ".join(person.name for person in over)
    room = max(0, min(cap - given[person.pk] for person in over))
    if room == 0:
        full = ", ".join(person.name for person in over if given[person.pk] >= cap)
        return _(
            "You can give one person at most %(cap)s points a month, and %(names)s already had them from you: "
            "recognise without points."
        ) % {"cap": cap, "names": full}
    return _(
        "You can give one person at most %(cap)s points a month; %(names)s would get more. "
        "Give at most %(room)s points, or none."
    ) % {"cap": cap, "names": names, "room": room}


def _check_pair_cap(
    giver: Employee, recipients: Sequence[Employee], points: int, now: datetime, errors: dict[str, list[str]]
) -> None:
    refusal = pair_cap_refusal(giver, recipients, points, now)
    if refusal:
        errors["points"] = [refusal]


@transaction.atomic
def recognition_give(
    *,
    actor: User | None,
    to: Sequence[object] = (),
    team_id: object = None,
    message: str,
    values: Sequence[object],
    points: object = 0,
    for_ref: tuple[str, str, str] | None = None,
    now: datetime | None = None,
) -> Recognition:
    """Recognise people, or a whole team (its active members but the giver), with a message and
    values; ``points`` go to each recipient from the giver's allowance. ``for_ref`` is (subject
    type, id, label) of what it was for, as other contexts name it."""
    now = now or timezone.now()
    giver = _member(actor)
    errors: dict[str, list[str]] = {}
    team: Unit | None = None
    if team_id not in (None, ""):
        team_pk = as_id(team_id)
        team = Unit.objects.filter(pk=team_pk).first() if team_pk is not None else None
        if team is None:
            errors["team"] = [_("No unit has this id.")]
    ids = [as_id(value) for value in to]
    recipients: list[Employee] = []
    if any(value is None for value in ids):
        errors["to"] = [_("Give people by their ids.")]
    elif not ids and team is None and "team" not in errors:
        errors["to"] = [_("Name at least one person, or a team.")]
    else:
        wanted = list(dict.fromkeys(value for value in ids if value is not None))
        found = {
            person.pk: person
            for person in Employee.objects.select_related("profile", "unit").filter(pk__in=wanted, is_active=True)
        }
        unknown = [str(pk) for pk in wanted if pk not in found]
        if unknown:
            errors["to"] = [_("No active person has the id(s) %(ids)s.") % {"ids": ", ".join(unknown)}]
        elif giver.pk in wanted:
            errors["to"] = [_("You cannot recognise yourself; recognise a colleague.")]
        recipients = [found[pk] for pk in wanted if pk in found]
        if team is not None:
            members = Employee.objects.select_related("profile", "unit").filter(unit=team, is_active=True)
            recipients += [person for person in members.exclude(pk=giver.pk) if person.pk not in found]
            if not recipients and "to" not in errors:
                errors["team"] = [_("%(team)s has nobody to recognise but you.") % {"team": team.name}]
        if len(recipients) > MAX_RECIPIENTS:
            errors["to"] = [_("Recognise at most %(n)d people at once.") % {"n": MAX_RECIPIENTS}]
    value_ids = [as_id(value) for value in values]
    chosen: list[Value] = []
    if not value_ids:
        errors["values"] = [_("Name at least one of the organisation's values.")]
    else:
        known = {value.pk: value for value in Value.objects.filter(pk__in=[v for v in value_ids if v is not None])}
        unknown_values = [str(v) for v in value_ids if v is None or v not in known or not known[v].is_active]
        if unknown_values:
            errors["values"] = [_("Unknown value(s): %(ids)s.") % {"ids": ", ".join(unknown_values)}]
        chosen = [known[v] for v in dict.fromkeys(value_ids) if v in known]  # type: ignore[index]
    each = _points(points, field="points", errors=errors)
    try:
        message = clean_text(message, field="message", required=True, limit=MAX_MESSAGE)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not errors:
        _check_pair_cap(giver, recipients, each, now, errors)
    if errors:
        raise ValidationError(errors)

    visibility = visibility_for(
        [getattr(getattr(p, "profile", None), "recognition_preference", "") for p in recipients]
    )
    recognition = Recognition.objects.create(
        giver=giver,
        message=message,
        team=team,
        visibility=visibility,
        for_type=for_ref[0] if for_ref else "",
        for_id=str(for_ref[1]) if for_ref else "",
        for_label=(for_ref[2] if for_ref else "")[:200],
        points_total=each * len(recipients),
        created_at=now,
    )
    recognition.values.set(chosen)
    RecognitionRecipient.objects.bulk_create(
        RecognitionRecipient(recognition=recognition, employee=person, points=each, created_at=now)
        for person in recipients
    )
    if each:
        allowance = ledger.allowance_refresh(owner_id=giver.pk, now=now)
        ledger.ledger_post(
            kind="give",
            movements=ledger.movements_split(
                source=allowance,
                targets=[
                    (ledger.account_for(kind=AccountKind.EARNED, owner_id=person.pk), each) for person in recipients
                ],
            ),
            actor=actor,
            subject=("recognition.recognition", str(recognition.pk)),
            occurred_at=now,
        )
    event_record(
        type=RECOGNITION_GIVEN,
        subject=recognition,
        actor=actor,
        payload={
            "recognition": recognition.pk,
            "giver": giver.pk,
            "recipients": [person.pk for person in recipients],
            "points": each,
            "values": [value.pk for value in chosen],
            "visibility": visibility,
            "team": team.pk if team else None,
            "for_type": recognition.for_type,
            "for_id": recognition.for_id,
        },
        occurred_at=now,
    )
    return recognition


@transaction.atomic
def recognition_boost(
    *, actor: User | None, recognition: Recognition, points: object, now: datetime | None = None
) -> Boost:
    """Add points of one's own allowance to each recipient of a public recognition."""
    now = now or timezone.now()
    booster = _member(actor)
    if recognition.visibility != Visibility.PUBLIC:
        raise Conflict(_("Only public recognitions can be boosted."))
    recipients = list(Employee.objects.filter(recognitions_received__recognition=recognition, is_active=True))
    involved = {recognition.giver_id, *(person.pk for person in recipients)}
    if booster.pk in involved:
        raise Conflict(_("You are part of this recognition; boost someone else's."))
    errors: dict[str, list[str]] = {}
    each = _points(points, field="points", errors=errors)
    if not errors and each == 0:
        errors["points"] = [_("Boost with at least 1 point.")]
    if not errors and not recipients:
        raise Conflict(_("Nobody in this recognition can receive points any more."))
    if not errors:
        _check_pair_cap(booster, recipients, each, now, errors)
    if errors:
        raise ValidationError(errors)
    allowance = ledger.allowance_refresh(owner_id=booster.pk, now=now)
    entry = ledger.ledger_post(
        kind="boost",
        movements=ledger.movements_split(
            source=allowance,
            targets=[(ledger.account_for(kind=AccountKind.EARNED, owner_id=person.pk), each) for person in recipients],
        ),
        actor=actor,
        subject=("recognition.recognition", str(recognition.pk)),
        occurred_at=now,
    )
    boost = Boost.objects.create(recognition=recognition, giver=booster, points=each, transaction=entry, created_at=now)
    Recognition.objects.filter(pk=recognition.pk).update(points_total=F("points_total") + each * len(recipients))
    event_record(
        type=RECOGNITION_BOOSTED,
        subject=recognition,
        actor=actor,
        payload={
            "recognition": recognition.pk,
            "boost": boost.pk,
            "giver": booster.pk,
            "recipients": [person.pk for person in recipients],
            "points": each,
        },
        occurred_at=now,
    )
    return boost
