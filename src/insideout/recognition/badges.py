"""Badges: the rules engine that awards them from other contexts' events, manual grants, and the
catalog's reads.

A badge's rules are data (``BadgeRule``): which events count (``event_type``, ``also_counts``),
for whom (``counted_for``: a payload field naming people, or ``actor``), only when (``condition``),
how many (``threshold``), in which window (``ever``; ``streak``, which ``breaks_on`` starts again;
``days``, a rolling number of days; ``month``, a calendar month in the server's time zone) and
whether they must all differ (``distinct_on``). :data:`BADGE_EVENTS` lists the events a rule may
count and the people each names; :data:`DERIVED_KEYS` the keys computed from an event that a
condition or ``distinct_on`` may use. A rule naming anything else is refused with a ValidationError.

The handler runs after each such event, at least once. Each rule remembers the events it counted
(``BadgeRuleEvent``), so a second delivery changes nothing; each person's progress is one row per
rule (and month), locked and updated in O(1), never a rescan of history. An award names its
achievement ("ever", "month 2026-12", "streak 2", "days 2026-12-03", "granted 2026-12-03"), and the
unique constraint on (badge, person, achievement) keeps it from being awarded twice.

Events are counted in the order they are delivered: a streak's break delivered late (after a
failed handler was retried) resets the streak it finds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.core.events import event_record, handles
from insideout.core.models import Event
from insideout.core.text import as_id, clean_text
from insideout.notifications import facade as notifications
from insideout.people import facade as people
from insideout.people.models import Employee, Unit, User
from insideout.recognition import selectors
from insideout.recognition.models import (
    Badge,
    BadgeAward,
    BadgeKind,
    BadgeProgress,
    BadgeRule,
    BadgeRuleEvent,
    BadgeWindow,
)
from insideout.recognition.rules import _ids as ids_named

BADGE_AWARDED = "recognition.badge_awarded"

MAX_REASON = 2000
MAX_THRESHOLD = 10_000
MAX_WINDOW_DAYS = 366
MAX_NAME = 100
# How far up the reporting lines a grant's rights are looked for (the directory refuses cycles).
MAX_CHAIN = 50
ACTOR = "actor"  # counted_for: the person who did it (the event's actor), not a payload field


@dataclass(frozen=True)
class EventSpec:
    """An event a rule can count: its name in words, and for each way it names people (a payload
    field, or ``actor``) what is counted in words ("thank-yous received")."""

    label: Promise
    people: dict[str, Promise]


BADGE_EVENTS: dict[str, EventSpec] = {
    "servicedesk.commitment_kept": EventSpec(
        gettext_lazy("A commitment kept"), {"owner": gettext_lazy("commitments kept")}
    ),
    "servicedesk.commitment_broken": EventSpec(
        gettext_lazy("A commitment broken"), {"owner": gettext_lazy("commitments broken")}
    ),
    "servicedesk.thanks_sent": EventSpec(
        gettext_lazy("A thank-you on a request"),
        {"recipients": gettext_lazy("thank-yous received"), "giver": gettext_lazy("thank-yous given")},
    ),
    "servicedesk.request_first_response": EventSpec(
        gettext_lazy("A first response to a request"), {ACTOR: gettext_lazy("first responses")}
    ),
    "recognition.given": EventSpec(
        gettext_lazy("A recognition"),
        {"recipients": gettext_lazy("recognitions received"), "giver": gettext_lazy("recognitions given")},
    ),
    "recognition.boosted": EventSpec(
        gettext_lazy("A boost of a recognition"),
        {"recipients": gettext_lazy("boosts received"), "giver": gettext_lazy("boosts given")},
    ),
    # Published once the learning context exists; rules on it wait switched off until then.
    "learning.module_completed": EventSpec(
        gettext_lazy("A learning module completed"), {"learner": gettext_lazy("learning modules completed")}
    ),
}


# --- reading an event ----------------------------------------------------------------------------


@dataclass
class _Reading:
    """One event being counted, with what its rules look up once (people, the giver's unit)."""

    event: Event
    _people: dict[str, list[Employee]] = field(default_factory=dict)
    _units: dict[int, int | None] = field(default_factory=dict)
    _in_time: bool | None = None

    def people(self, counted_for: str) -> list[Employee]:
        """The active people the event names this way, each once."""
        if counted_for not in self._people:
            if counted_for == ACTOR:
                actor_id = self.event.actor_id
                found = list(Employee.objects.filter(user_id=actor_id, is_active=True)) if actor_id else []
            else:
                wanted = list(dict.fromkeys(ids_named(counted_for)(self.event.payload)))
                by_id = {person.pk: person for person in Employee.objects.filter(pk__in=wanted, is_active=True)}
                found = [by_id[pk] for pk in wanted if pk in by_id]
            self._people[counted_for] = found
        return self._people[counted_for]

    def unit_of(self, employee_id: object) -> int | None:
        if not isinstance(employee_id, int) or isinstance(employee_id, bool):
            return None
        if employee_id not in self._units:
            self._units[employee_id] = Employee.objects.filter(pk=employee_id).values_list("unit_id", flat=True).first()
        return self._units[employee_id]

    def first_response_in_time(self) -> bool:
        if self._in_time is None:
            self._in_time = _first_response_in_time(self.event)
        return self._in_time

    def value(self, key: str, person: Employee) -> object:
        """A condition's or ``distinct_on``'s key: ``payload.a.b`` from the payload, or a derived key."""
        if key.startswith("payload."):
            found: object = self.event.payload
            for part in key.removeprefix("payload.").split("."):
                found = found.get(part) if isinstance(found, dict) else None
            return found
        return DERIVED_KEYS[key].compute(self, person)


def _first_response_in_time(event: Event) -> bool:
    """Whether a first response came within the first-response standard.

    The service desk's ``request_first_response`` event says so itself when its payload has
    ``met`` (true or false). Until it does, the clock's own record is read: the first-response
    clock breached before the response only if the sweep wrote ``clock_breached`` for it (metric
    ``first_response``) on the same request at or before the response. The sweep runs every
    minute, so a response in the last minute after the due time can still count as in time, and a
    request without a standard counts as answered in time.
    """
    met = event.payload.get("met")
    if isinstance(met, bool):
        return met
    return not Event.objects.filter(
        type="servicedesk.clock_breached",
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        occurred_at__lte=event.occurred_at,
        payload__metric="first_response",
    ).exists()


@dataclass(frozen=True)
class DerivedKey:
    """A key computed from an event, for a condition (``{"first_response_in_time": true}``) or for
    ``distinct_on``; ``events`` are those it makes sense for (empty: any that has the fields)."""

    label: Promise  # as a condition that holds: "within the first-response standard"
    distinct: Promise  # as distinct_on: "each from a different unit"
    compute: Callable[[_Reading, Employee], object]
    events: tuple[str, ...] = ()


def _giver_unit(reading: _Reading, person: Employee) -> object:
    return reading.unit_of(reading.event.payload.get("giver"))


def _giver_other_unit(reading: _Reading, person: Employee) -> object:
    # A thank-you from one's own unit is not a step out of the silo.
    unit = reading.unit_of(reading.event.payload.get("giver"))
    return unit if unit is not None and unit != person.unit_id else None


def _in_time(reading: _Reading, person: Employee) -> object:
    return reading.first_response_in_time()


_GIVEN = ("servicedesk.thanks_sent", "recognition.given", "recognition.boosted")

DERIVED_KEYS: dict[str, DerivedKey] = {
    "first_response_in_time": DerivedKey(
        gettext_lazy("within the first-response standard"),
        gettext_lazy("once in time and once late"),
        _in_time,
        ("servicedesk.request_first_response",),
    ),
    "giver_unit": DerivedKey(
        gettext_lazy("from the giver's unit"), gettext_lazy("each from a different unit"), _giver_unit, _GIVEN
    ),
    "giver_other_unit": DerivedKey(
        gettext_lazy("from another unit"),
        gettext_lazy("each from a different unit than one's own"),
        _giver_other_unit,
        _GIVEN,
    ),
}


# --- rules as data: validation and words ---------------------------------------------------------


def _scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _key_problem(key: object, event_types: list[str]) -> str | None:
    if not isinstance(key, str) or not key:
        return _("Name a key: payload.<field> or one of %(derived)s.") % {"derived": ", ".join(DERIVED_KEYS)}
    if key.startswith("payload."):
        return None if key.removeprefix("payload.") else _("Name the payload's field after payload.")
    derived = DERIVED_KEYS.get(key)
    if derived is None:
        return _("Unknown key %(key)s: use payload.<field> or one of %(derived)s.") % {
            "key": key,
            "derived": ", ".join(DERIVED_KEYS),
        }
    misfits = [kind for kind in event_types if derived.events and kind not in derived.events]
    if misfits:
        return _("%(key)s cannot be read from %(types)s.") % {"key": key, "types": ", ".join(misfits)}
    return None


def rule_problems(rule: BadgeRule) -> dict[str, list[str]]:
    """What is wrong with a rule, by field (empty when it can be used)."""
    errors: dict[str, list[str]] = {}
    known = ", ".join(BADGE_EVENTS)
    counted = [rule.event_type, *(rule.also_counts if isinstance(rule.also_counts, list) else [])]
    if rule.event_type not in BADGE_EVENTS:
        errors["event_type"] = [
            _("Badges cannot count %(type)s; choose one of: %(known)s.") % {"type": rule.event_type, "known": known}
        ]
    if not isinstance(rule.also_counts, list) or any(not isinstance(kind, str) for kind in rule.also_counts):
        errors["also_counts"] = [_("Give a list of event types.")]
    else:
        unknown = [kind for kind in rule.also_counts if kind not in BADGE_EVENTS]
        if unknown:
            errors["also_counts"] = [
                _("Badges cannot count %(type)s; choose one of: %(known)s.")
                % {"type": ", ".join(unknown), "known": known}
            ]
    if not errors:
        misfits = [kind for kind in counted if rule.counted_for not in BADGE_EVENTS[kind].people]
        if misfits:
            errors["counted_for"] = [
                _("%(types)s names nobody as %(field)s; it names: %(fields)s.")
                % {
                    "types": ", ".join(misfits),
                    "field": rule.counted_for or "—",
                    "fields": ", ".join(BADGE_EVENTS[misfits[0]].people),
                }
            ]
    if rule.window not in BadgeWindow.values:
        errors["window"] = [_("Choose one of: %(c)s.") % {"c": ", ".join(BadgeWindow.values)}]
    if not isinstance(rule.threshold, int) or not 1 <= rule.threshold <= MAX_THRESHOLD:
        errors["threshold"] = [_("Give a whole number from 1 to %(max)d.") % {"max": MAX_THRESHOLD}]
    if rule.window == BadgeWindow.DAYS:
        if not isinstance(rule.window_days, int) or not 1 <= rule.window_days <= MAX_WINDOW_DAYS:
            errors["window_days"] = [_("Give the window in days, from 1 to %(max)d.") % {"max": MAX_WINDOW_DAYS}]
    elif rule.window_days is not None:
        errors["window_days"] = [_("Only a window of days has a number of days.")]
    if rule.window == BadgeWindow.STREAK:
        if rule.breaks_on not in BADGE_EVENTS:
            errors["breaks_on"] = [_("Name the event that ends a streak; one of: %(known)s.") % {"known": known}]
        elif rule.breaks_on in counted:
            errors["breaks_on"] = [_("An event cannot both count and end the streak.")]
        elif rule.counted_for not in BADGE_EVENTS[rule.breaks_on].people:
            errors["breaks_on"] = [
                _("%(type)s names nobody as %(field)s.") % {"type": rule.breaks_on, "field": rule.counted_for}
            ]
    elif rule.breaks_on:
        errors["breaks_on"] = [_("Only a streak is ended by an event.")]
    if not isinstance(rule.condition, dict):
        errors["condition"] = [_('Give the condition as an object, e.g. {"payload.by": "reply"}.')]
    else:
        for key, expected in rule.condition.items():
            problem = _key_problem(key, counted)
            if problem is None and not _scalar(expected):
                problem = _("Compare %(key)s with a single value.") % {"key": key}
            if problem is not None:
                errors.setdefault("condition", []).append(problem)
    if rule.distinct_on:
        problem = _key_problem(rule.distinct_on, counted)
        if problem is not None:
            errors["distinct_on"] = [problem]
    return errors


# How a streak starts again, as whole phrases: a label is never lowercased into another sentence
# (German capitalises its nouns).
_STREAK_BREAKS: dict[str, Promise] = {
    "servicedesk.commitment_kept": gettext_lazy("in a row (a commitment kept starts again)"),
    "servicedesk.commitment_broken": gettext_lazy("in a row (a commitment broken starts again)"),
    "servicedesk.thanks_sent": gettext_lazy("in a row (a thank-you on a request starts again)"),
    "servicedesk.request_first_response": gettext_lazy("in a row (a first response to a request starts again)"),
    "recognition.given": gettext_lazy("in a row (a recognition starts again)"),
    "recognition.boosted": gettext_lazy("in a row (a boost of a recognition starts again)"),
    "learning.module_completed": gettext_lazy("in a row (a learning module completed starts again)"),
}


def rule_in_words(rule: BadgeRule) -> str:
    """The rule as a sentence: "20 × commitments kept in a row (a commitment broken starts again)".

    Each part is a whole translatable phrase, joined by translatable patterns, so a translation may
    order and punctuate them its own way."""
    counted = [
        str(BADGE_EVENTS[kind].people.get(rule.counted_for, BADGE_EVENTS[kind].label))
        for kind in [rule.event_type, *rule.also_counts]
        if kind in BADGE_EVENTS
    ]
    what = counted[0] if counted else ""
    for more in counted[1:]:
        what = _("%(some)s or %(more)s") % {"some": what, "more": more}
    text = _("%(n)d × %(what)s") % {"n": rule.threshold, "what": what}
    for key, expected in rule.condition.items():
        derived = DERIVED_KEYS.get(key)
        if derived is not None and expected is True:
            text = _("%(rule)s %(condition)s") % {"rule": text, "condition": derived.label}
        else:
            text = _("%(rule)s, where %(key)s is %(value)s") % {
                "rule": text,
                "key": key.removeprefix("payload."),
                "value": expected,
            }
    if rule.distinct_on:
        derived = DERIVED_KEYS.get(rule.distinct_on)
        if derived is not None:
            text = _("%(rule)s, %(distinct)s") % {"rule": text, "distinct": derived.distinct}
        else:
            text = _("%(rule)s, each with a different %(key)s") % {
                "rule": text,
                "key": rule.distinct_on.removeprefix("payload."),
            }
    if rule.window == BadgeWindow.STREAK:
        breaks = _STREAK_BREAKS.get(rule.breaks_on)
        if breaks is not None:
            text = _("%(rule)s %(window)s") % {"rule": text, "window": breaks}
        else:
            text = _("%(rule)s in a row (%(breaker)s starts again)") % {"rule": text, "breaker": rule.breaks_on}
    elif rule.window == BadgeWindow.DAYS:
        days = rule.window_days or 0
        text = ngettext("%(rule)s within %(days)d day", "%(rule)s within %(days)d days", days) % {
            "rule": text,
            "days": days,
        }
    elif rule.window == BadgeWindow.MONTH:
        text = _("%(rule)s in one calendar month") % {"rule": text}
    if not rule.is_active:
        text = _("%(rule)s (not in use yet)") % {"rule": text}
    return text


def achievement_in_words(award: BadgeAward) -> str:
    """What an award was for, as the person's page shows it: "December 2026", "streak 2", a day."""
    kind, _sep, rest = award.achievement.partition(" ")
    if kind == "month" and rest:
        return date_format(date.fromisoformat(f"{rest}-01"), "F Y")
    if kind == "streak" and rest:
        return _("streak %(n)s") % {"n": rest}
    if kind in ("days", "granted") and rest:
        return date_format(date.fromisoformat(rest), "j F Y")
    return ""


# --- the engine ----------------------------------------------------------------------------------


def _rules_for(event_type: str) -> list[BadgeRule]:
    """The rules in use that count this event or end a streak at it (one query; rules are few)."""
    rules = BadgeRule.objects.filter(is_active=True, badge__is_active=True, badge__kind=BadgeKind.AUTO).select_related(
        "badge"
    )
    return [
        rule
        for rule in rules.order_by("pk")
        if event_type in (rule.event_type, rule.breaks_on) or event_type in (rule.also_counts or [])
    ]


def _first_time(rule: BadgeRule, event: Event) -> bool:
    try:
        with transaction.atomic():
            BadgeRuleEvent.objects.create(rule=rule, event=event)
    except IntegrityError:
        return False
    return True


def _progress(rule: BadgeRule, employee_id: int, period: str, *, create: bool = True) -> BadgeProgress | None:
    """The person's progress row, locked; created when missing (and ``create``)."""
    found = BadgeProgress.objects.select_for_update().filter(rule=rule, employee_id=employee_id, period=period)
    row = found.first()
    if row is None and create:
        try:
            with transaction.atomic():
                row = BadgeProgress.objects.create(rule=rule, employee_id=employee_id, period=period)
        except IntegrityError:  # another worker created it a moment ago
            row = found.get()
    return row


def _award(
    *,
    badge: Badge,
    employee: Employee,
    achievement: str,
    at: datetime,
    rule: BadgeRule | None = None,
    granted_by: Employee | None = None,
    actor: User | None = None,
    reason: str = "",
) -> BadgeAward | None:
    """Award the badge for this achievement, and record it; None when it was already awarded."""
    try:
        with transaction.atomic():
            award = BadgeAward.objects.create(
                badge=badge,
                employee=employee,
                achievement=achievement,
                awarded_at=at,
                rule=rule,
                granted_by=granted_by,
                reason=reason,
            )
    except IntegrityError:
        return None
    event_record(
        type=BADGE_AWARDED,
        subject=award,
        actor=actor,
        payload={
            "award": award.pk,
            "badge": badge.pk,
            "employee": employee.pk,
            "achievement": achievement,
            "granted_by": granted_by.pk if granted_by else None,
        },
        occurred_at=at,
    )
    return award


def _days_reached(progress: BadgeProgress, rule: BadgeRule, at: datetime, key: object) -> bool:
    """Count an event into a rolling window: reached when ``threshold`` events (or distinct keys)
    fall within less than ``window_days`` × 24 hours. Keeps at most ``threshold`` marks."""
    marks = [(datetime.fromisoformat(when), seen) for when, seen in progress.keys]
    marks.append((at, key))
    marks.sort(key=lambda mark: mark[0])
    oldest_kept = marks[-1][0] - timedelta(days=rule.window_days or 0)
    marks = [mark for mark in marks if mark[0] > oldest_kept]
    if rule.distinct_on:
        latest: dict[Any, datetime] = {}
        for when, seen in marks:
            latest[seen] = when
        marks = sorted(((when, seen) for seen, when in latest.items()), key=lambda mark: mark[0])
    marks = marks[-rule.threshold :]
    reached = len(marks) >= rule.threshold
    progress.keys = [] if reached else [[when.isoformat(), seen] for when, seen in marks]
    progress.count = 0 if reached else len(marks)
    return reached


def _count(rule: BadgeRule, person: Employee, reading: _Reading, key: object) -> BadgeAward | None:
    at = reading.event.occurred_at
    period = selectors.period_of(at) if rule.window == BadgeWindow.MONTH else ""
    progress = _progress(rule, person.pk, period)
    assert progress is not None
    if rule.window == BadgeWindow.DAYS:
        reached = _days_reached(progress, rule, at, key)
        achievement = f"days {timezone.localdate(at).isoformat()}"
    else:
        achievement = {
            BadgeWindow.EVER: "ever",
            BadgeWindow.MONTH: f"month {period}",
            BadgeWindow.STREAK: f"streak {progress.run}",
        }[BadgeWindow(rule.window)]
        if key is None:
            progress.count += 1
        elif progress.achieved != achievement and key not in progress.keys:
            progress.keys = [*progress.keys, key]
            progress.count = len(progress.keys)
        reached = progress.achieved != achievement and progress.count >= rule.threshold
        if reached:
            progress.keys = []  # done with them: the row stays small
    award = None
    if reached:
        progress.achieved = achievement
        award = _award(badge=rule.badge, employee=person, achievement=achievement, at=at, rule=rule)
    progress.updated_at = timezone.now()
    progress.save()
    return award


def _break(rule: BadgeRule, person: Employee) -> None:
    progress = _progress(rule, person.pk, "", create=False)
    if progress is None or (progress.count == 0 and not progress.keys):
        return
    progress.run += 1
    progress.count = 0
    progress.keys = []
    progress.updated_at = timezone.now()
    progress.save()


def _holds(condition: dict[str, Any], reading: _Reading, person: Employee) -> bool:
    return all(reading.value(key, person) == expected for key, expected in condition.items())


def badges_evaluate(*, event: Event) -> list[BadgeAward]:
    """Count one event into every rule that uses it; returns the badges it completed. Running it
    again for the same event does nothing (each rule remembers the events it counted)."""
    reading = _Reading(event)
    awards: list[BadgeAward] = []
    for rule in _rules_for(event.type):
        with transaction.atomic():
            if not _first_time(rule, event):
                continue
            breaks = rule.window == BadgeWindow.STREAK and event.type == rule.breaks_on
            for person in reading.people(rule.counted_for):
                if breaks:
                    _break(rule, person)
                    continue
                if not _holds(rule.condition, reading, person):
                    continue
                key = reading.value(rule.distinct_on, person) if rule.distinct_on else None
                if rule.distinct_on and (key is None or not _scalar(key)):
                    continue  # nothing to tell it apart by: it does not count
                award = _count(rule, person, reading, key)
                if award is not None:
                    awards.append(award)
    return awards


@handles(*BADGE_EVENTS)
def count_for_badges(event: Event) -> None:
    badges_evaluate(event=event)


@handles(BADGE_AWARDED)
def tell_about_badge(event: Event) -> None:
    """The person hears of their badge, in their language; not of one they granted themselves
    (which cannot happen) and not after they left."""
    award = BadgeAward.objects.select_related("badge", "employee", "granted_by").filter(pk=event.payload.get("award"))
    found = award.first()
    if found is None or not found.employee.is_active:
        return

    def render(found: BadgeAward = found) -> tuple[str, str]:
        values = {"badge": found.badge.name, "giver": found.granted_by.name if found.granted_by else ""}
        if found.granted_by is not None:
            return _("%(giver)s granted you the badge %(badge)s") % values, found.reason
        return _("You earned the badge %(badge)s") % values, found.badge.description

    notifications.notify(
        recipient_user_id=found.employee.user_id,
        kind=BADGE_AWARDED,
        render=render,
        url=reverse("people:person", args=[found.employee_id]) + "#badges",  # the badges on their page
        event_id=event.pk,
    )


# --- who may honour whom -------------------------------------------------------------------------


def _member(actor: User | None) -> Employee:
    employee = selectors.member_of(actor)
    if employee is None:
        raise Forbidden(_("Only members of the organisation can do this."))
    return employee


def stands_above(*, me: Employee, person: Employee) -> bool:
    """Whether ``me`` is in the person's reporting line above them, or leads their unit or a unit above it."""
    manager_id, steps = person.manager_id, 0
    while manager_id is not None and steps < MAX_CHAIN:
        if manager_id == me.pk:
            return True
        manager_id = Employee.objects.filter(pk=manager_id).values_list("manager_id", flat=True).first()
        steps += 1
    return leads_above(me=me, unit=person.unit)


def leads_above(*, me: Employee, unit: Unit | None) -> bool:
    """Whether ``me`` leads the unit or a unit above it."""
    if unit is None or not unit.path:
        return False
    return any(unit.path.startswith(led) for led in Unit.objects.filter(lead=me).values_list("path", flat=True) if led)


def may_honour(*, actor: User | None, person: Employee) -> bool:
    """Grant a manual badge to the person, or sign their certificate: their managers and the leads
    above them, and people-ops; never the person themselves."""
    me = selectors.member_of(actor)
    if me is None or me.pk == person.pk or actor is None:
        return False
    return people.roles_of(user=actor).people_ops or stands_above(me=me, person=person)


def _person(person_id: object, *, field: str = "person") -> Employee:
    pk = as_id(person_id)
    person = Employee.objects.select_related("unit", "user").filter(pk=pk, is_active=True).first() if pk else None
    if person is None:
        raise ValidationError({field: [_("No active person has this id.")]})
    return person


# --- writes --------------------------------------------------------------------------------------


@transaction.atomic
def badge_grant(
    *, actor: User | None, badge: Badge, person_id: object, reason: str, now: datetime | None = None
) -> BadgeAward:
    """Grant a manual badge to someone, for a reason: their managers, the leads above them and
    people-ops may; nobody grants one to themselves. The same badge once a day per person."""
    now = now or timezone.now()
    me = _member(actor)
    if badge.kind != BadgeKind.MANUAL:
        raise Conflict(_("%(badge)s is awarded by its rules; only manual badges are granted.") % {"badge": badge.name})
    if not badge.is_active:
        raise Conflict(_("%(badge)s is no longer in use.") % {"badge": badge.name})
    person = _person(person_id)
    if person.pk == me.pk:
        raise Forbidden(_("You cannot grant yourself a badge."))
    if not may_honour(actor=actor, person=person):
        raise Forbidden(
            _("Only %(name)s's managers, the leads above them and people-ops can grant them a badge.")
            % {"name": person.name}
        )
    reason = clean_text(reason, field="reason", required=True, limit=MAX_REASON)
    award = _award(
        badge=badge,
        employee=person,
        achievement=f"granted {timezone.localdate(now).isoformat()}",
        at=now,
        granted_by=me,
        actor=actor,
        reason=reason,
    )
    if award is None:
        raise Conflict(_("%(name)s was granted %(badge)s today already.") % {"name": person.name, "badge": badge.name})
    return award


def _people_ops(actor: User | None) -> None:
    if actor is None or not actor.is_authenticated or not people.roles_of(user=actor).people_ops:
        raise Forbidden(_("Only people-ops can manage badges."))


@transaction.atomic
def badge_create(
    *, actor: User | None, name: str, description: str = "", icon: str = "", kind: str = BadgeKind.AUTO
) -> Badge:
    """People-ops add a badge to the catalog (its rules come next, for an automatic one)."""
    _people_ops(actor)
    errors: dict[str, list[str]] = {}
    try:
        name = clean_text(name, field="name", required=True, limit=MAX_NAME)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind not in BadgeKind.values:
        errors["kind"] = [_("Choose one of: %(c)s.") % {"c": ", ".join(BadgeKind.values)}]
    if name and Badge.objects.filter(name__iexact=name).exists():
        errors["name"] = [_("A badge with this name exists already.")]
    if errors:
        raise ValidationError(errors)
    badge = Badge(name=name, description=description.strip(), icon=icon.strip(), kind=kind)
    badge.full_clean()
    badge.save()
    return badge


@transaction.atomic
def badge_rule_create(
    *,
    actor: User | None,
    badge: Badge,
    event_type: str,
    counted_for: str,
    threshold: int,
    window: str = BadgeWindow.EVER,
    window_days: int | None = None,
    breaks_on: str = "",
    also_counts: list[str] | None = None,
    condition: dict[str, Any] | None = None,
    distinct_on: str = "",
    is_active: bool = True,
) -> BadgeRule:
    """People-ops add a rule to an automatic badge; a rule naming an event, a person field or a
    key the engine does not know is refused, field by field."""
    _people_ops(actor)
    if badge.kind != BadgeKind.AUTO:
        raise Conflict(_("%(badge)s is granted by hand; it has no rules.") % {"badge": badge.name})
    rule = BadgeRule(
        badge=badge,
        event_type=event_type,
        counted_for=counted_for,
        threshold=threshold,
        window=window,
        window_days=window_days,
        breaks_on=breaks_on,
        also_counts=also_counts or [],
        condition=condition or {},
        distinct_on=distinct_on,
        is_active=is_active,
    )
    errors = rule_problems(rule)
    if errors:
        raise ValidationError(errors)
    rule.full_clean()
    rule.save()
    return rule


# --- reads ---------------------------------------------------------------------------------------


def badge_catalog(*, actor: User | None) -> QuerySet[Badge]:
    """The badges in use with their rules (one more query), in the catalog's order; for members."""
    _member(actor)
    return (
        Badge.objects.filter(is_active=True)
        .prefetch_related(Prefetch("rules", queryset=BadgeRule.objects.order_by("pk")))
        .order_by("position", "name")
    )


def badge_get_for(*, actor: User | None, badge_id: int) -> Badge:
    _member(actor)
    badge = Badge.objects.filter(pk=badge_id, is_active=True).first()
    if badge is None:
        raise NotFound(_("No badge with this id."))
    return badge


def person_get_for(*, actor: User | None, person_id: int) -> Employee:
    """An active person, for any member of the organisation (badges are shown to everyone)."""
    _member(actor)
    person = Employee.objects.select_related("unit", "user").filter(pk=person_id, is_active=True).first()
    if person is None:
        raise NotFound(_("No active person has this id."))
    return person


def badge_awards_of(*, actor: User | None, person_id: int) -> QuerySet[BadgeAward]:
    """A person's badges, newest first: any member of the organisation may see anyone's, like the
    wall's public recognitions; NotFound for someone who is not an active person."""
    person = person_get_for(actor=actor, person_id=person_id)
    return (
        BadgeAward.objects.filter(employee=person).select_related("badge", "granted_by").order_by("-awarded_at", "-pk")
    )


def badge_award_get_for(*, actor: User | None, person_id: int, award_id: int) -> BadgeAward:
    found = badge_awards_of(actor=actor, person_id=person_id).filter(pk=award_id).select_related("employee").first()
    if found is None:
        raise NotFound(_("This person has no badge award with this id."))
    return found
