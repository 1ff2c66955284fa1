"""Demo recognition over the demo organisation and its service desks (``insideout demo``).

After ``people.demo`` and ``servicedesk.demo`` have written the directory and two years of
requests, this writes what makes the recognition pages lively: the seven values, the points rules,
a rewards catalog of every kind, and :data:`MONTHS` months of history — recognitions (most of them
public; team or private where the recipients prefer it), some of them for a request or a
commitment of the service desk, boosts, spot awards (paid, approved, rejected and waiting),
redemptions (issued with a code, cancelled, and held in people-ops' fulfilment queue), the badges
their events earn, and team meters for two units.

Everything goes through recognition's own use-cases (``services``, ``awards``, ``rewards``,
``catalog``, ``badges``, ``leaderboards``) with a historical ``now``, in the order it happened, so
the ledger is exactly what the product writes: balanced transactions, no balance below zero, and
each person's allowance and budget refilled lazily month by month (``ledger.monthly_refresh``) —
``insideout ledger verify`` reconciles. The service desk is read only through the event log (its
thank-yous, kept commitments and opened requests), as recognition reads it in production.

The volume follows the organisation (:data:`RECOGNITIONS_PER_PERSON_MONTH`) up to
:data:`MAX_RECOGNITIONS`, so a directory of 100,000 people stays quick to load. The events written
are history: they are marked dispatched and nobody is notified; the badge rules are run here, over
every event they count in time order (the service desk's too), instead of by the handlers.

The plan is drawn from one ``random.Random``: the same seed, organisation and ``now`` give the
same recognitions.
"""

from __future__ import annotations

import functools
import itertools
import random
import time as clock
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from insideout.core.models import Event
from insideout.core.tasks import events_deliver_task
from insideout.people import demo as people_demo
from insideout.people.models import Employee, Unit, User
from insideout.recognition import awards, badges, catalog, leaderboards, rewards, rules, selectors, services
from insideout.recognition.models import (
    Account,
    AccountKind,
    Award,
    Badge,
    BadgeKind,
    BadgeRule,
    BadgeWindow,
    LedgerTransaction,
    Recognition,
    Redemption,
    Reward,
    RewardKind,
    TeamGoal,
    TeamGoalMetric,
    Value,
    Visibility,
)

Progress = Callable[[str, int, int], None]

MONTHS = 4  # of history, this month included
RECOGNITIONS_PER_PERSON_MONTH = 0.1
MAX_RECOGNITIONS = 400
MIN_RECOGNITIONS = 60
BOOSTED_SHARE = 0.3  # of the public recognitions
FOR_SHARE = 0.2  # of the recognitions: for a request or a commitment of the service desk
TEAM_SHARE = 0.06  # of the recognitions: a whole team
AWARDS_PER_HOLDER_MONTH = 0.12
MAX_AWARDS_PER_MONTH = 15
REDEMPTIONS_PER_PERSON = 0.08
MAX_REDEMPTIONS = 60
HELD_DAYS = 10  # redemptions made since are still in the fulfilment queue
RULE_POINTS = 5  # granted for each commitment kept

# (name, what it looks like), in the order the forms offer them.
VALUES: tuple[tuple[str, str], ...] = (
    ("Stay positive", "Look for what can be done, and say it; a setback is the next thing to work on."),
    ("Honour commitments", "Do what you promised, when you promised it, or say early that you cannot."),
    ("Communicate often", "Keep people informed before they have to ask."),
    ("Negotiate expectations", "Agree on what, by when and how well; agree again when things change."),
    ("Step out of your silo", "Help beyond your own team, and bring others in."),
    ("Be polite", "Courtesy in every message, the hurried ones too."),
    ("Be helpful", "Make the other person's problem a little smaller."),
)


@dataclass(frozen=True)
class RewardDef:
    name: str
    kind: str
    points: int
    description: str
    stock: int | None = None
    per_person: int | None = None
    countries: tuple[str, ...] = ()
    active: bool = True


REWARDS: tuple[RewardDef, ...] = (
    RewardDef(
        "Donation to a children's charity",
        RewardKind.DONATION,
        100,
        "Aurora gives your points' worth to the children's charity people voted for this year.",
    ),
    RewardDef(
        "Plant ten trees",
        RewardKind.DONATION,
        200,
        "Ten trees planted in a reforestation project, with a certificate in your name.",
    ),
    RewardDef(
        "Aurora mug",
        RewardKind.MERCHANDISE,
        150,
        "The stoneware mug with the aurora glaze; sent to your office.",
        stock=40,
        per_person=2,
    ),
    RewardDef(
        "Insulated bottle",
        RewardKind.MERCHANDISE,
        250,
        "Keeps coffee hot for 12 hours and water cold for 24.",
        stock=25,
    ),
    RewardDef(
        "Aurora hoodie",
        RewardKind.MERCHANDISE,
        450,
        "Organic cotton, in the colour of the logo; tell people-ops your size in the note.",
        stock=12,
        per_person=1,
    ),
    RewardDef("Book voucher", RewardKind.GIFT_CARD, 250, "A voucher worth 25 for any bookshop, sent by e-mail."),
    RewardDef(
        "Department store gift card",
        RewardKind.GIFT_CARD,
        500,
        "A gift card worth 50 EUR for a department store in Germany.",
        countries=("DE",),
    ),
    RewardDef(
        "High-street gift card",
        RewardKind.GIFT_CARD,
        500,
        "A gift card worth 50 GBP for shops across the United Kingdom.",
        countries=("GB",),
    ),
    RewardDef(
        "Cooking class for two",
        RewardKind.EXPERIENCE,
        1200,
        "An evening course with a chef near your office, for you and a guest.",
        stock=6,
        per_person=1,
    ),
    RewardDef(
        "Half a day off",
        RewardKind.EXPERIENCE,
        800,
        "Four hours off, to take within three months; agree the day with your manager.",
        per_person=2,
    ),
    RewardDef(
        "Desk plant",
        RewardKind.MERCHANDISE,
        120,
        "A small plant for the desk; no longer offered since the offices moved to shared desks.",
        stock=0,
        active=False,
    ),
)

# Messages by value; {first} is the first recipient's first name, {key} what it was for.
MESSAGES: dict[str, tuple[str, ...]] = {
    "Stay positive": (
        "{first}, the release went sideways twice this week and you kept everyone's spirits up. Thank you.",
        "When the plan fell through, {first} was the first to say what we could still do. That changed the day.",
        "Thanks, {first}, for turning a grumpy Monday meeting into a plan with three clear steps.",
    ),
    "Honour commitments": (
        "{first} said it would be done by Thursday, and it was. Thank you for keeping your word.",
        "You promised the figures before the board meeting and they were there an hour early. Thank you, {first}!",
        "Thanks, {first}, for doing exactly what you said you would, even when the week got busy.",
    ),
    "Communicate often": (
        "{first} kept me posted every day while my request was open, so I never had to chase. Thank you.",
        "Thank you, {first}, for the short updates: I always knew where things stood.",
        "{first} told us early that the delivery would slip, so we could plan around it. Much appreciated.",
    ),
    "Negotiate expectations": (
        "{first} asked what really mattered by Friday and we agreed on a smaller first step. It worked.",
        "Thanks, {first}, for saying honestly that the date was not realistic and offering one that was.",
        "We agreed on what 'done' means before starting; thank you, {first}, that saved us a week.",
    ),
    "Step out of your silo": (
        "{first} helped our team although it is not her or his area at all. Thank you for stepping in.",
        "Thanks, {first}, for bringing Finance and Sales to one table; the quote went out the same day.",
        "{first} spent an afternoon showing us how their team handles this. Generous and useful.",
    ),
    "Be polite": (
        "Even on a stressful day {first} answered every question kindly. Thank you.",
        "Thank you, {first}, for the friendly and patient help with my question.",
        "{first} always says thank you and means it. It makes working together a pleasure.",
    ),
    "Be helpful": (
        "Thank you, {first}, for sorting out my problem so quickly; I could get on with my day.",
        "{first} stayed late to fix my laptop before the customer visit. Lifesaver!",
        "Thanks, {first}, for finding the document nobody else could find.",
        "{first} showed me the shortcut that saves me ten minutes every morning. Thank you!",
    ),
}
# For a request ({key}: its number) or a commitment kept on one.
FOR_MESSAGES: dict[str, tuple[str, ...]] = {
    "Be helpful": (
        "Thank you, {first}, for sorting out {key} so quickly; I could get on with my day.",
        "{first} went the extra mile on {key}. Thank you!",
    ),
    "Communicate often": ("{first} kept me posted every day while {key} was open, so I never had to chase.",),
    "Be polite": ("Thank you, {first}, for the friendly and patient help with {key}.",),
    "Step out of your silo": ("{first} pulled in two other teams to get {key} done. Thank you!",),
    "Honour commitments": (
        "{first} promised {key} by the agreed date and delivered. Thank you for keeping your word.",
        "Done when {first} said it would be: {key}. That is what makes planning possible.",
    ),
}
TEAM_MESSAGES = (
    "To the whole team: thank you for a great quarter. Every one of you made a difference.",
    "Thanks, everyone, for covering for each other during the holidays; nothing was dropped.",
    "Team, the move to the new office went without a hitch. Thank you all.",
)
AWARD_REASONS = (
    "For taking over the migration at short notice and bringing it in on time.",
    "For the customer workshop: three new contacts and a very happy customer.",
    "For training the new colleagues on top of the day job.",
    "For finding the root cause of the outage on a Sunday.",
    "For closing the quarter's largest deal with patience and care.",
    "For mentoring the interns all summer.",
)
# The documented sign-ins' own: (giver, recipient, hours ago, values, message, points to each).
NAMED_RECOGNITIONS: tuple[tuple[str, str, int, tuple[str, ...], str, int], ...] = (
    (
        "alex",
        "sam",
        20 * 24 + 3,
        ("Be helpful", "Communicate often"),
        "Sam had my new laptop ready a day early and moved all my files over. Thank you!",
        20,
    ),
    (
        "mo",
        "alex",
        9 * 24 + 5,
        ("Negotiate expectations", "Stay positive"),
        "Alex agreed a realistic roll-out with the customer instead of promising everything.",
        25,
    ),
    (
        "lena",
        "sam",
        4 * 24 + 2,
        ("Be polite", "Be helpful"),
        "Sam's patience on the phone with a frustrated caller turned the call around.",
        20,
    ),
    (
        "sam",
        "admin",
        2 * 24 + 6,
        ("Step out of your silo",),
        "Katrin joined our onboarding session and fixed the access requests on the spot.",
        10,
    ),
    (
        "admin",
        "lena",
        15 * 24 + 1,
        ("Honour commitments",),
        "Lena's team had every new starter's laptop and accounts ready on day one, as promised.",
        20,
    ),
    (
        "admin",
        "mo",
        30 * 24 + 4,
        ("Communicate often",),
        "Mo's weekly notes to the team are the clearest in the company. Thank you!",
        10,
    ),
)
REJECT_NOTE = "A recognition from the team fits this better; this quarter's budget is for the launch."
APPROVE_NOTES = ("Well deserved.", "Agreed, thank you for putting it forward.", "")
CANCEL_REASONS = ("Out of the size asked for; the points are back.", "Changed my mind, sorry!")
SENT_NOTES = {
    RewardKind.MERCHANDISE: "Sent by internal mail on {day}.",
    RewardKind.EXPERIENCE: "Booked; the voucher with the details is in your inbox.",
    RewardKind.DONATION: "Donated on {day}; the receipt is on its way.",
}


@dataclass(frozen=True)
class DemoResult:
    values: int
    rewards: int
    recognitions: int
    boosts: int
    awards: int
    redemptions: int
    badges: int
    team_goals: int
    transactions: int
    seconds: float


class DemoError(Exception):
    """The recognition demo cannot be loaded into this database; nothing was written."""


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


def default_recognitions(employees: int) -> int:
    """Recognitions over the demo's months for an organisation of this size."""
    return max(MIN_RECOGNITIONS, min(MAX_RECOGNITIONS, round(employees * RECOGNITIONS_PER_PERSON_MONTH * MONTHS)))


@dataclass(slots=True)
class _Person:
    pk: int
    user_id: int
    first_name: str
    unit_id: int | None
    group: str  # the department's path: colleagues nearby
    manager_id: int | None
    public: bool
    country: str


@dataclass(frozen=True, slots=True)
class _For:
    """Something of the service desk's to recognise someone for, and who would."""

    giver: int
    recipient: int
    type: str
    id: str
    label: str
    key: str  # the request's number
    at: datetime


@dataclass(order=True)
class _Step:
    at: datetime
    seq: int
    kind: str = field(compare=False)
    data: dict[str, Any] = field(compare=False, default_factory=dict)


@dataclass
class _Monthly:
    """A mirror of one allowance or budget account, refilled lazily as ``ledger.monthly_refresh`` does."""

    amount: int
    period: str = ""
    balance: int = 0

    def left(self, at: datetime) -> int:
        return self.amount if self.period != selectors.period_of(at) else self.balance

    def take(self, at: datetime, points: int) -> None:
        period = selectors.period_of(at)
        if self.period != period:
            self.period, self.balance = period, self.amount
        self.balance -= points


@transaction.atomic
def demo_load(
    *,
    seed: int = people_demo.DEFAULT_SEED,
    now: datetime | None = None,
    recognitions: int | None = None,
    progress: Progress = _no_progress,
) -> DemoResult:
    """Write the recognition demo over the demo organisation already loaded (see the module docstring).

    :raises DemoError: when recognition has values, recognitions or rewards already, or the demo's
        people-ops account is missing (nothing is written).
    """
    started = clock.monotonic()
    if Value.objects.exists() or Recognition.objects.exists() or Reward.objects.exists():
        raise DemoError("Recognition has values, recognitions or rewards already.")
    admin = User.objects.filter(username="admin", is_active=True).first()
    if admin is None or not selectors.is_people_ops(admin):
        raise DemoError("The demo's people-ops account 'admin' is missing.")
    now = now or timezone.now()
    loader = _Loader(seed=seed, now=now, admin=admin, progress=progress)
    loader.catalog()
    loader.plan(recognitions if recognitions is not None else default_recognitions(len(loader.people)))
    loader.run()
    loader.badges()
    loader.team_goals()
    loader.history_only()
    return DemoResult(
        values=len(loader.values),
        rewards=len(loader.rewards),
        recognitions=loader.recognition_count,
        boosts=loader.boost_count,
        awards=loader.award_count,
        redemptions=loader.redemption_count,
        badges=loader.badge_count,
        team_goals=loader.goal_count,
        transactions=loader.transaction_count(),
        seconds=clock.monotonic() - started,
    )


class _Loader:
    def __init__(self, *, seed: int, now: datetime, admin: User, progress: Progress) -> None:
        self.rng = random.Random(f"recognition:{seed}")  # noqa: S311 - demo data, not security
        self.now = now
        self.admin = admin
        self.progress = progress
        self.first_event = int(Event.objects.aggregate(top=Max("pk"))["top"] or 0)
        local = timezone.localtime(now)
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        for _month in range(MONTHS - 1):
            start = (start - timedelta(days=1)).replace(day=1)
        self.start = start
        departments = {pk: _group(path) for pk, path in Unit.objects.values_list("pk", "path")}
        self.people: dict[int, _Person] = {
            pk: _Person(
                pk, user_id, first, unit_id, departments.get(unit_id or 0, ""), manager, pref == "public", country
            )
            for pk, user_id, first, unit_id, manager, pref, country in Employee.objects.filter(is_active=True)
            .order_by("pk")
            .values_list(
                "pk",
                "user_id",
                "user__first_name",
                "unit_id",
                "manager_id",
                "profile__recognition_preference",
                "country",
            )
        }
        self.pks = list(self.people)
        self.by_unit: dict[int, list[int]] = {}
        self.by_group: dict[str, list[int]] = {}
        self.reports: dict[int, list[int]] = {}
        for person in self.people.values():
            self.by_unit.setdefault(person.unit_id or 0, []).append(person.pk)
            self.by_group.setdefault(person.group, []).append(person.pk)
            if person.manager_id is not None:
                self.reports.setdefault(person.manager_id, []).append(person.pk)
        self.leads = dict(Unit.objects.filter(lead__is_active=True).values_list("pk", "lead_id"))
        self.holders = sorted(set(self.reports) | set(self.leads.values()))
        self.named = dict(
            Employee.objects.filter(
                is_active=True, user__username__in=[person.username for person in people_demo.NAMED]
            ).values_list("user__username", "pk")
        )
        self.users: dict[int, User] = {}
        self.allowance: dict[int, _Monthly] = {}
        self.budget: dict[int, _Monthly] = {}
        self.pair: dict[tuple[int, int, str], int] = {}
        self.steps: list[_Step] = []
        self.values: list[Value] = []
        self.rewards: list[Reward] = []
        self.made: dict[int, Any] = {}  # step seq -> what it made
        self.recognition_count = self.boost_count = self.award_count = 0
        self.redemption_count = self.badge_count = self.goal_count = 0

    # --- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def transaction_count() -> int:
        return LedgerTransaction.objects.count()

    def user(self, employee_id: int) -> User:
        user = self.users.get(employee_id)
        if user is None:
            user = User.objects.get(pk=self.people[employee_id].user_id)
            self.users[employee_id] = user
        return user

    def step(self, at: datetime, kind: str, **data: Any) -> int:
        seq = len(self.steps)
        self.steps.append(_Step(at, seq, kind, data))
        return seq

    def when(self, month_start: datetime, *, earliest: datetime | None = None) -> datetime:
        """A working-day moment of the month (before now), at office hours in UTC."""
        end = min(_next_month(month_start), self.now)
        low = max(month_start, earliest or month_start)
        if low >= end:
            return end - timedelta(minutes=5)
        for _attempt in range(8):
            moment = low + (end - low) * self.rng.random()
            if moment.weekday() < 5:
                break
        hour = 7 + int(self.rng.random() * 10)
        moment = moment.replace(hour=hour, minute=int(self.rng.random() * 60), second=0, microsecond=0)
        return min(max(moment, low), end - timedelta(minutes=1))

    def later(self, at: datetime, *, low_hours: float, high_hours: float) -> datetime | None:
        """A moment some hours after ``at``; None when it would be after now."""
        moment = at + timedelta(hours=low_hours + (high_hours - low_hours) * self.rng.random())
        return moment if moment < self.now else None

    def months(self) -> list[datetime]:
        found, month = [], self.start
        while month < self.now:
            found.append(month)
            month = _next_month(month)
        return found

    # --- the catalog -----------------------------------------------------------------------------

    def catalog(self) -> None:
        for name, description in VALUES:
            self.values.append(catalog.value_create(actor=self.admin, name=name, description=description))
        catalog.point_rule_set(
            actor=self.admin, event_type="servicedesk.thanks_sent", points=RULE_POINTS, is_active=False
        )
        catalog.point_rule_set(
            actor=self.admin, event_type="servicedesk.commitment_kept", points=RULE_POINTS, is_active=True
        )
        for position, reward in enumerate(REWARDS, start=1):
            self.rewards.append(
                catalog.reward_create(
                    actor=self.admin,
                    data=catalog.RewardInput(
                        name=reward.name,
                        points_cost=reward.points,
                        description=reward.description,
                        kind=reward.kind,
                        stock=reward.stock,
                        per_person_limit=reward.per_person,
                        countries=list(reward.countries),
                        is_active=reward.active,
                        position=position,
                    ),
                )
            )
        self.progress("recognition catalog", len(self.values) + len(self.rewards), len(VALUES) + len(REWARDS))

    # --- the plan ---------------------------------------------------------------------------------

    def plan(self, total: int) -> None:
        months = self.months()
        days = [(min(_next_month(m), self.now) - m).total_seconds() for m in months]
        shares = [round(total * d / sum(days)) for d in days]
        fors = self._for_candidates()
        rng = self.rng
        # Some people recognise others often, many now and then.
        cumulative = list(itertools.accumulate(rng.expovariate(1.0) for _pk in self.pks))
        for month, count in zip(months, shares, strict=True):
            for _n in range(count):
                giver = rng.choices(self.pks, cum_weights=cumulative)[0]
                self._recognition(giver, self.when(month), fors)
        self._named_stories()
        self._awards(months)
        self._redemptions()
        self._rule_grants()

    def _for_candidates(self) -> list[_For]:
        """(giver, recipient, for type, for id, label, when) from the service desk's history in the
        window: a requester's thank-you to the agent, a commitment kept for its recipient."""
        numbers: dict[str, str] = {}
        found: list[_For] = []
        rows = list(
            Event.objects.filter(
                type__in=["servicedesk.thanks_sent", "servicedesk.commitment_kept"],
                occurred_at__gte=self.start,
                occurred_at__lt=self.now,
                subject_type="servicedesk.request",
            )
            .order_by("occurred_at", "pk")
            .values_list("type", "subject_id", "payload", "occurred_at")
        )
        subjects = {subject_id for _type, subject_id, _payload, _at in rows}
        for subject_id, payload in Event.objects.filter(
            type="servicedesk.request_opened", subject_type="servicedesk.request", subject_id__in=subjects
        ).values_list("subject_id", "payload"):
            numbers[subject_id] = str(payload.get("number") or "")
        for kind, subject_id, payload, at in rows:
            key = numbers.get(subject_id, "")
            if not key:
                continue
            if kind == "servicedesk.thanks_sent":
                givers, recipients = [payload.get("giver")], payload.get("recipients") or []
                ref = ("servicedesk.request", subject_id, key)
            else:
                givers, recipients = [payload.get("to")], [payload.get("owner")]
                ref = ("servicedesk.commitment", str(payload.get("commitment")), f"{key}: promise kept")
            for giver, recipient in zip(givers, recipients, strict=False):
                if giver in self.people and recipient in self.people and giver != recipient:
                    found.append(_For(giver, recipient, *ref, key, at))
        return found

    def _pick(self, pool: Sequence[int], exclude: set[int], *, public: bool = False) -> int | None:
        """Someone of ``pool`` who is not excluded (drawn, not filtered: pools may be the whole
        organisation); with ``public``, preferably someone who likes recognition in public."""
        for attempt in range(40):
            pk = pool[int(self.rng.random() * len(pool))]
            if pk in exclude or (public and attempt < 20 and not self.people[pk].public):
                continue
            return pk
        return None

    def _recipients(self, giver: int, count: int) -> list[int]:
        rng = self.rng
        person = self.people[giver]
        roll = rng.random()
        if roll < 0.5:
            pool = self.by_unit.get(person.unit_id or 0, [])
        elif roll < 0.75:
            pool = self.by_group.get(person.group, [])
        else:
            pool = self.pks
        # Those who like it public are recognised in public more often.
        public = rng.random() < 0.75
        chosen: set[int] = {giver}
        found: list[int] = []
        for _n in range(count):
            pk = self._pick(pool, chosen, public=public) or self._pick(self.pks, chosen, public=public)
            if pk is not None:
                chosen.add(pk)
                found.append(pk)
        return found

    def _recognition(
        self,
        giver: int,
        at: datetime,
        fors: list[_For],
        *,
        to: Sequence[int] = (),
        values: Sequence[str] = (),
        message: str = "",
        points: int | None = None,
    ) -> int:
        rng = self.rng
        team: int | None = None
        for_ref: tuple[str, str, str] | None = None
        if not to and fors and rng.random() < FOR_SHARE:
            link = fors.pop(int(rng.random() * len(fors)))
            giver, to = link.giver, [link.recipient]
            at = self.later(link.at, low_hours=1, high_hours=30) or link.at
            for_ref = (link.type, link.id, link.label)
            value = "Honour commitments" if link.type == "servicedesk.commitment" else rng.choice(_FOR_VALUES)
            values = [value]
            message = rng.choice(FOR_MESSAGES[value]).replace("{key}", link.key)
        elif not to and rng.random() < TEAM_SHARE and self.people[giver].unit_id:
            team = self.people[giver].unit_id
        elif not to:
            to = self._recipients(giver, rng.choices((1, 2, 3), weights=(70, 20, 10))[0])
        if not values:
            values = rng.sample(list(MESSAGES), k=rng.choices((1, 2), weights=(70, 30))[0])
        if not message:
            message = rng.choice(TEAM_MESSAGES) if team is not None else rng.choice(MESSAGES[values[0]])
        wanted = points if points is not None else rng.choice((0, 10, 10, 20, 20, 25, 30, 50))
        boosts = 0
        if rng.random() < BOOSTED_SHARE:
            boosts = rng.choices((1, 2, 3, 4), weights=(50, 30, 15, 5))[0]
        if not to and team is None:
            return -1
        return self.step(
            at,
            "give",
            giver=giver,
            to=list(to),
            team=team,
            values=list(values),
            message=message,
            points=wanted,
            for_ref=for_ref,
            boosts=boosts,
        )

    def _named_stories(self) -> None:
        """Something on every documented sign-in's pages: recognitions given and received."""
        for giver, to, hours, values, message, points in NAMED_RECOGNITIONS:
            if giver in self.named and to in self.named:
                at = self.now - timedelta(hours=hours)
                self._recognition(
                    self.named[giver], at, [], to=[self.named[to]], values=values, message=message, points=points
                )

    def _awards(self, months: list[datetime]) -> None:
        rng = self.rng
        named = self.named
        sam, mo, alex = named.get("sam"), named.get("mo"), named.get("alex")
        sam_manager = self.people[sam].manager_id if sam else None
        # One rejected whatever the draw gives: from a manager who has a manager, to a report.
        rejecting = next(
            (pk for pk in self.holders if self.people.get(self.people[pk].manager_id or 0) and self.reports.get(pk)),
            None,
        )
        lena = named.get("lena")
        above = {
            pk: self.people[pk].manager_id for pk in (lena, mo) if pk and self.people[pk].manager_id in self.people
        }
        # The stories' givers give no drawn awards, so their budgets have room for the stories.
        story_givers = {mo, sam_manager, rejecting, *above.values()}
        holders = [pk for pk in self.holders if pk in self.people and pk not in story_givers]
        for month in months:
            count = min(MAX_AWARDS_PER_MONTH, max(2, round(len(holders) * AWARDS_PER_HOLDER_MONTH)))
            for _n in range(count):
                giver = rng.choice(holders)
                pool = self.reports.get(giver) or self.by_unit.get(self.people[giver].unit_id or 0, [])
                pool = [pk for pk in pool if pk != giver]
                if not pool:
                    continue
                large = rng.random() < 0.15
                points = rng.choice((250, 300, 400)) if large else rng.choice((50, 75, 100, 150, 200))
                at = self.when(month)
                reject = rng.random() < 0.15
                self.step(at, "award", giver=giver, to=rng.choice(pool), points=points, decide=True, reject=reject)
        for days, (pk, manager) in zip((50, 45), above.items(), strict=False):
            at = self.now - timedelta(days=days)
            self.step(at, "award", giver=manager, to=pk, points=150, decide=True, reject=False)
        if sam and sam_manager in self.people:
            at = self.now - timedelta(days=40)
            self.step(at, "award", giver=sam_manager, to=sam, points=200, decide=True, reject=False)
        if mo and alex:
            self.step(self.now - timedelta(days=35), "award", giver=mo, to=alex, points=150, decide=True, reject=False)
            # Waits for mo's manager (and people-ops).
            at = self.now - timedelta(days=1, hours=4)
            self.step(at, "award", giver=mo, to=alex, points=300, decide=False, reject=False)
        if sam and sam_manager in self.people:
            # Waits for lena, the Service Desk Manager's manager (and people-ops).
            at = self.now - timedelta(days=2, hours=1)
            self.step(at, "award", giver=sam_manager, to=sam, points=300, decide=False, reject=False)
        if rejecting is not None:
            at = self.now - timedelta(days=12)
            to = self.reports[rejecting][0]
            self.step(at, "award", giver=rejecting, to=to, points=400, decide=True, reject=True)

    def _redemptions(self) -> None:
        rng = self.rng
        count = min(MAX_REDEMPTIONS, max(8, round(len(self.pks) * REDEMPTIONS_PER_PERSON)))
        window = min(timedelta(days=100), self.now - self.start)
        for n in range(count):
            at = (self.now - window * rng.random()).replace(second=0, microsecond=0)
            person = rng.choice(self.pks)
            cancel = rng.random() < 0.12
            if n < 3:
                # Two in the fulfilment queue and one cancelled whatever the draw gives.
                at, cancel = self.now - timedelta(days=(1, 2, 20)[n], hours=3), n == 2
            self.step(at, "redeem", person=person, cancel=cancel, named=False)
        for name, hours in (("alex", 30), ("sam", 60), ("lena", 200), ("mo", 400)):
            if name in self.named:
                at = self.now - timedelta(hours=hours)
                self.step(at, "redeem", person=self.named[name], cancel=False, named=True)

    def _rule_grants(self) -> None:
        """The commitment-kept rule's points for the commitments kept since it was switched on, at
        the start of last month."""
        since = self.months()[-2] if len(self.months()) > 1 else self.start
        for pk, at in Event.objects.filter(
            type="servicedesk.commitment_kept", occurred_at__gte=since, occurred_at__lt=self.now
        ).values_list("pk", "occurred_at"):
            self.step(at, "rule", event=pk)

    # --- running the plan ---------------------------------------------------------------------------

    def run(self) -> None:
        self.steps.sort()
        total = len(self.steps)
        handlers = {
            "give": self._give,
            "boost": self._boost,
            "award": self._award,
            "decide": self._decide,
            "redeem": self._redeem,
            "settle": self._settle,
            "rule": self._rule,
        }
        index = 0
        while index < len(self.steps):
            step = self.steps[index]
            handlers[step.kind](step)
            index += 1
            if index % 200 == 0 or index == len(self.steps):
                self.progress("recognition history", index, max(total, len(self.steps)))

    def _insert(self, at: datetime, kind: str, **data: Any) -> None:
        """A follow-up step (a boost, a decision), kept in time order among those still to run."""
        seq = len(self.steps) + 1_000_000
        new = _Step(at, seq, kind, data)
        position = len(self.steps)
        while position > 0 and self.steps[position - 1] > new:
            position -= 1
        self.steps.insert(position, new)

    def _allowance(self, pk: int) -> _Monthly:
        found = self.allowance.get(pk)
        if found is None:
            found = self.allowance[pk] = _Monthly(selectors.monthly_allowance())
        return found

    def _budget(self, pk: int) -> _Monthly:
        found = self.budget.get(pk)
        if found is None:
            found = self.budget[pk] = _Monthly(selectors.monthly_budget())
        return found

    def _room(self, giver: int, recipients: Sequence[int], at: datetime, wanted: int) -> int:
        """The most of ``wanted`` points to each recipient that the allowance and the pair cap allow."""
        if not recipients or wanted <= 0:
            return 0
        period = selectors.period_of(at)
        each = min(wanted, self._allowance(giver).left(at) // len(recipients))
        cap = int(settings.RECOGNITION_PAIR_CAP)
        if cap > 0:
            each = min([each, *(cap - self.pair.get((giver, pk, period), 0) for pk in recipients)])
        return max(0, each - each % 5)

    def _spent(self, giver: int, recipients: Sequence[int], at: datetime, each: int) -> None:
        if not each:
            return
        period = selectors.period_of(at)
        self._allowance(giver).take(at, each * len(recipients))
        for pk in recipients:
            self.pair[(giver, pk, period)] = self.pair.get((giver, pk, period), 0) + each

    def _give(self, step: _Step) -> None:
        data = step.data
        giver = data["giver"]
        if data["team"] is not None:
            recipients = [pk for pk in self.by_unit.get(data["team"], []) if pk != giver]
            if not recipients or len(recipients) > services.MAX_RECIPIENTS:
                return
        else:
            recipients = data["to"]
        each = self._room(giver, recipients, step.at, min(data["points"], 10) if data["team"] else data["points"])
        value_ids = [value.pk for value in self.values if value.name in data["values"]]
        message = data["message"].replace("{first}", self.people[recipients[0]].first_name)
        recognition = services.recognition_give(
            actor=self.user(giver),
            to=[] if data["team"] else recipients,
            team_id=data["team"],
            message=message,
            values=value_ids,
            points=each,
            for_ref=data["for_ref"],
            now=step.at,
        )
        self._spent(giver, recipients, step.at, each)
        self.recognition_count += 1
        if recognition.visibility != Visibility.PUBLIC:
            return
        involved = {giver, *recipients}
        for _n in range(data["boosts"]):
            at = self.later(step.at, low_hours=0.5, high_hours=96)
            if at is None:
                break
            near = self.by_group.get(self.people[recipients[0]].group) or self.pks
            booster = self._pick(near, involved) or self._pick(self.pks, involved)
            if booster is None:
                break
            involved.add(booster)
            self._insert(at, "boost", recognition=recognition, booster=booster, recipients=recipients)

    def _boost(self, step: _Step) -> None:
        data = step.data
        booster, recipients = data["booster"], data["recipients"]
        each = self._room(booster, recipients, step.at, 10)
        if not each:
            return
        services.recognition_boost(actor=self.user(booster), recognition=data["recognition"], points=each, now=step.at)
        self._spent(booster, recipients, step.at, each)
        self.boost_count += 1

    def _award(self, step: _Step) -> None:
        data = step.data
        giver, points = data["giver"], data["points"]
        budget = self._budget(giver)
        if budget.left(step.at) < points:
            return
        award = awards.award_create(
            actor=self.user(giver),
            to=data["to"],
            points=points,
            reason=self.rng.choice(AWARD_REASONS),
            values=[self.rng.choice(self.values).pk],
            now=step.at,
        )
        budget.take(step.at, points)
        self.award_count += 1
        if award.hold_id is None or not data["decide"]:
            return
        at = self.later(step.at, low_hours=4, high_hours=72)
        if at is not None:
            self._insert(at, "decide", award=award, reject=data["reject"])

    def _decide(self, step: _Step) -> None:
        award: Award = step.data["award"]
        approver = award.approver_id if award.approver_id in self.people else None
        actor = self.user(approver) if approver is not None else self.admin
        if step.data["reject"]:
            awards.award_reject(actor=actor, award=award, note=REJECT_NOTE, now=step.at)
            budget = self._budget(award.giver_id)
            budget.balance += award.points  # back to the budget account, as the ledger does
        else:
            awards.award_approve(actor=actor, award=award, note=self.rng.choice(APPROVE_NOTES), now=step.at)

    def _redeem(self, step: _Step) -> None:
        person = step.data["person"]
        earned = Account.objects.filter(kind=AccountKind.EARNED)
        balance = int(earned.filter(owner_id=person).values_list("balance", flat=True).first() or 0)
        cheapest = min(reward.points_cost for reward in self.rewards if reward.is_active)
        named = set(self.named.values())
        if not step.data["named"] and (balance < cheapest or person in named):
            # Those who have collected enough redeem; the person drawn has not yet. The people the
            # docs name redeem only in their own steps, so that they keep points to spend.
            top = earned.filter(balance__gte=cheapest).exclude(owner_id__in=named).order_by("-balance", "owner_id")
            rich = [row for row in top.values_list("owner_id", "balance")[:40] if row[0] in self.people][:20]
            if not rich:
                return
            person, balance = rich[int(self.rng.random() * len(rich))]
        country = self.people[person].country.upper()
        taken = selectors.redeemed_of(employee_id=person)
        # The people the docs name keep some points to spend after their redemption (a demo of
        # my points with an earned balance of 0 shows little), whatever the date draws.
        affordable = Q(points_cost__lt=balance) if step.data["named"] else Q(points_cost__lte=balance)
        choices = [
            reward
            for reward in Reward.objects.filter(affordable, is_active=True).order_by("position")
            if (not reward.countries or country in reward.countries)
            and (reward.stock is None or reward.stock > 0)
            and (reward.per_person_limit is None or taken.get(reward.pk, 0) < reward.per_person_limit)
        ]
        if not choices:
            return
        reward = self.rng.choice(choices)
        redemption = rewards.redemption_create(actor=self.user(person), reward_id=reward.pk, now=step.at)
        self.redemption_count += 1
        if step.at > self.now - timedelta(days=HELD_DAYS) and not step.data["cancel"]:
            return  # still in the fulfilment queue
        at = self.later(step.at, low_hours=2, high_hours=24 * 6)
        if at is not None:
            self._insert(at, "settle", redemption=redemption, cancel=step.data["cancel"])

    def _settle(self, step: _Step) -> None:
        redemption: Redemption = step.data["redemption"]
        if step.data["cancel"]:
            by_person = self.rng.random() < 0.5
            rewards.redemption_cancel(
                actor=self.user(redemption.employee_id) if by_person else self.admin,
                redemption=redemption,
                reason=CANCEL_REASONS[1 if by_person else 0],
                now=step.at,
            )
            return
        kind = redemption.reward.kind
        if kind == RewardKind.GIFT_CARD:
            code = "-".join(f"{self.rng.randrange(16**4):04X}" for _part in range(4))
            note = f"Your code: {code}"
        else:
            note = SENT_NOTES[RewardKind(kind)].format(day=timezone.localdate(step.at).isoformat())
        rewards.redemption_fulfil(actor=self.admin, redemption=redemption, note=note, now=step.at)

    def _rule(self, step: _Step) -> None:
        event = Event.objects.get(pk=step.data["event"])
        rules.grant_points_by_rule(event)

    # --- badges, goals, history ---------------------------------------------------------------------

    def badges(self) -> None:
        """Count the events the badge rules use, in time order (the service desk's too), from when
        they matter now: all of them for rules in all, the demo's months for streaks, this month's
        for rules of a calendar month, the last days' for rules within days (earlier ones change no
        progress still open; only a past month's award is left out). Then the manual grants."""
        since: dict[str, datetime | None] = {}
        for rule in BadgeRule.objects.filter(is_active=True, badge__is_active=True):
            if rule.window == BadgeWindow.MONTH:
                begins: datetime | None = self.months()[-1]
            elif rule.window == BadgeWindow.DAYS:
                begins = self.now - timedelta(days=rule.window_days or 0)
            elif rule.window == BadgeWindow.STREAK:
                begins = self.start  # a streak over the demo's months: quicker, and as open
            else:
                begins = None
            for kind in (rule.event_type, *rule.also_counts, rule.breaks_on):
                if kind and kind in since:
                    earlier = since[kind]
                    since[kind] = None if begins is None or earlier is None else min(begins, earlier)
                elif kind:
                    since[kind] = begins
        wanted = Q(pk__in=[])
        for kind, begins in since.items():
            wanted |= Q(type=kind) if begins is None else Q(type=kind, occurred_at__gte=begins)
        ids = list(Event.objects.filter(wanted).order_by("occurred_at", "pk").values_list("pk", flat=True))
        done = 0
        for start in range(0, len(ids), 500):
            for event in Event.objects.filter(pk__in=ids[start : start + 500]).order_by("occurred_at", "pk"):
                self.badge_count += len(badges.badges_evaluate(event=event))
            done = min(len(ids), start + 500)
            self.progress("badge rules", done, len(ids))
        manual = Badge.objects.filter(kind=BadgeKind.MANUAL, is_active=True).order_by("position").first()
        named = self.named
        if manual is None:
            return
        for by, to, days, reason in (
            ("lena", "sam", 6, "For running the service desk alone through the outage week."),
            ("mo", "alex", 25, "For winning back a customer everyone had given up on."),
        ):
            if by in named and to in named:
                badges.badge_grant(
                    actor=self.user(named[by]),
                    badge=manual,
                    person_id=named[to],
                    reason=reason,
                    now=self.now - timedelta(days=days),
                )
                self.badge_count += 1

    def team_goals(self) -> None:
        """Two team meters, each a good way to its target: lena's department and mo's team."""
        today = timezone.localdate(self.now)
        quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        quarter_end = date(quarter.year + (quarter.month + 2) // 12, (quarter.month + 2) % 12 + 1, 1) - timedelta(
            days=1
        )
        month = today.replace(day=1)
        month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        plans = (
            ("lena", "Recognitions for IT this quarter", TeamGoalMetric.RECOGNITIONS, quarter, quarter_end),
            ("mo", "Points for the team this month", TeamGoalMetric.POINTS, month, month_end),
        )
        for name, title, metric, first, last in plans:
            pk = self.named.get(name)
            if pk is None:
                continue
            unit = Unit.objects.filter(lead_id=pk).order_by("depth", "pk").first()
            if unit is None:
                continue
            # A target the team is well on the way to: about two thirds there.
            current = leaderboards.team_goal_progress(TeamGoal(unit=unit, metric=metric, starts_on=first, ends_on=last))
            target = max(10, round(current * 1.5 / 10) * 10)
            leaderboards.team_goal_create(
                actor=self.user(pk),
                unit_id=unit.pk,
                title=title,
                metric=metric,
                target=target,
                starts_on=first,
                ends_on=last,
            )
            self.goal_count += 1

    def history_only(self) -> None:
        """The events written are history: mark them dispatched, so that their handlers (which
        would notify everyone of months-old recognitions) find nothing to do after the commit,
        and drop the deliveries the writes queued."""
        Event.objects.filter(pk__gt=self.first_event, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
        connection.run_on_commit[:] = [
            entry
            for entry in connection.run_on_commit
            if not (isinstance(entry[1], functools.partial) and entry[1].func is events_deliver_task)
        ]


_FOR_VALUES = ("Be helpful", "Communicate often", "Be polite", "Step out of your silo")


def _group(path: str) -> str:
    """A unit's department: the first four levels of its path (company, division, department)."""
    parts = [part for part in path.split("/") if part]
    return "/".join(parts[:3])


def _next_month(moment: datetime) -> datetime:
    return (moment.replace(day=1) + timedelta(days=32)).replace(day=1)
