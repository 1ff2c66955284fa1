"""Reads of recognition, scoped to what the caller may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from insideout.core.errors import NotFound
from insideout.people import facade as people
from insideout.people.models import Employee, Unit, User, person_name
from insideout.recognition.models import (
    Account,
    AccountKind,
    Award,
    AwardState,
    Boost,
    Entry,
    PointRule,
    Recognition,
    RecognitionRecipient,
    Redemption,
    RedemptionState,
    Reward,
    Value,
    Visibility,
)


def period_of(now: datetime) -> str:
    """The month an allowance or budget belongs to, in the server's time zone: ``2026-12``."""
    return timezone.localtime(now).strftime("%Y-%m")


def monthly_allowance() -> int:
    return int(settings.RECOGNITION_MONTHLY_ALLOWANCE)


def monthly_budget() -> int:
    return int(settings.RECOGNITION_BUDGET_PER_MONTH)


def monthly_available(*, account: Account | None, now: datetime, amount: int) -> int:
    """What is left of a monthly allowance or budget: the balance in the month it was refilled for;
    in a later month the refill the next write will post first (a read never waits for a sweep)."""
    if account is None or account.period != period_of(now):
        return amount
    return int(account.balance)


def allowance_available(*, account: Account | None, now: datetime) -> int:
    return monthly_available(account=account, now=now, amount=monthly_allowance())


def has_budget(*, employee_id: int) -> bool:
    """Managers (with active reports) and unit leads have a spot-award budget."""
    return (
        Unit.objects.filter(lead_id=employee_id).exists()
        or Employee.objects.filter(manager_id=employee_id, is_active=True).exists()
    )


def balances_of(*, owner_id: int) -> dict[str, Account]:
    """A person's accounts by kind (those that exist); one query."""
    return {account.kind: account for account in Account.objects.filter(owner_id=owner_id)}


@dataclass(frozen=True)
class Points:
    """A person's balances: what they may give this month, what they have earned to spend, and
    their spot-award budget (None when they have none)."""

    allowance: int
    earned: int
    budget: int | None


def member_of(actor: User | None) -> Employee | None:
    if actor is None or not actor.is_authenticated:
        return None
    return Employee.objects.select_related("unit").filter(user=actor, is_active=True).first()


def budget_holder(actor: User | None) -> bool:
    """Whether the signed-in person has a spot-award budget (a lead or a manager, as ``has_budget``
    says), from the roles the request has read already: no query of its own."""
    if actor is None or not actor.is_authenticated:
        return False
    roles = people.roles_of(user=actor)
    return roles.lead or roles.manager


def points_of(*, employee_id: int, now: datetime | None = None, holder: bool | None = None) -> Points:
    """The person's accounts (one query; two more for whether someone without a budget account should
    have one, unless the caller knows: ``holder``, e.g. from ``budget_holder``); an allowance or
    budget not yet refilled this month reads as the refill."""
    now = now or timezone.now()
    accounts = balances_of(owner_id=employee_id)
    budget = accounts.get(AccountKind.BUDGET)
    earned = accounts.get(AccountKind.EARNED)
    if holder is None:
        holder = budget is not None or has_budget(employee_id=employee_id)
    if budget is not None or holder:
        budget_left: int | None = monthly_available(account=budget, now=now, amount=monthly_budget())
    else:
        budget_left = None
    return Points(
        allowance=allowance_available(account=accounts.get(AccountKind.ALLOWANCE), now=now),
        earned=int(earned.balance) if earned is not None else 0,
        budget=budget_left,
    )


def ledger_lines_of(*, employee_id: int) -> QuerySet[Entry]:
    """The person's ledger entries, newest first, with their transactions (and who made them) and accounts."""
    return (
        Entry.objects.filter(account__owner_id=employee_id)
        .select_related("transaction__actor", "account")
        .order_by("-transaction_id", "-id")
    )


def values_active() -> QuerySet[Value]:
    return Value.objects.filter(is_active=True).order_by("position", "name")


# --- recognitions --------------------------------------------------------------------------------


PERSON_FIELDS = ("id", "user_id", "is_active", "user__id", "user__first_name", "user__last_name", "user__username")
RECOGNITION_FIELDS = (
    "id", "giver_id", "message", "team_id", "visibility", "for_type", "for_id", "for_label", "points_total",
    "created_at",
)  # fmt: skip


def recognition_cards(recognitions: QuerySet[Recognition]) -> QuerySet[Recognition]:
    """The recognitions with what a card shows: the giver, the team, the recipients and the values
    (two more queries however many there are)."""
    # Of the people, only what a name needs: an employee row is wide, and a page holds dozens.
    return (
        recognitions.select_related("giver__user", "team")
        .only(*RECOGNITION_FIELDS, *(f"giver__{name}" for name in PERSON_FIELDS), "team__id", "team__name")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=RecognitionRecipient.objects.select_related("employee__user")
                .only("id", "recognition_id", "points", *(f"employee__{name}" for name in PERSON_FIELDS))
                .order_by("pk"),
            ),
            Prefetch("values", queryset=Value.objects.only("id", "name")),
        )
    )


@dataclass(frozen=True, slots=True)
class Named:
    """Someone or something a card names: a person (for a name chip), a team or a value."""

    pk: int
    name: str


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person recognised, and the points each of them got."""

    pk: int
    name: str
    points: int


@dataclass(frozen=True, slots=True)
class Shown:
    """A recognition as its card and the API show it: plain values, read in three queries for a
    whole page (``shown_by_id``). The wall shows twenty at a time on its busiest page, and building
    model rows for the recognitions, their recipients, their people and accounts, and their values
    cost more than the queries."""

    pk: int
    giver: Named
    team: Named | None
    message: str
    visibility: str
    for_type: str
    for_id: str
    for_label: str
    points_total: int
    created_at: datetime
    recipients: tuple[Recipient, ...]
    values: tuple[Named, ...]


def shown_by_id(ids: Iterable[int]) -> dict[int, Shown]:
    """The recognitions named, as their cards show them (three queries however many there are);
    an id that does not exist is left out."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    recipients: dict[int, list[Recipient]] = {pk: [] for pk in wanted}
    for recognition_id, pk, first, last, username, points in (
        RecognitionRecipient.objects.filter(recognition_id__in=wanted)
        .order_by("pk")
        .values_list(
            "recognition_id",
            "employee_id",
            "employee__user__first_name",
            "employee__user__last_name",
            "employee__user__username",
            "points",
        )  # fmt: skip
    ):
        recipients[recognition_id].append(Recipient(pk, person_name(first, last, username), points))
    values: dict[int, list[Named]] = {pk: [] for pk in wanted}
    for recognition_id, pk, name in (
        Recognition.values.through.objects.filter(recognition_id__in=wanted)
        .order_by("value__position", "value__name", "value_id")
        .values_list("recognition_id", "value_id", "value__name")
    ):
        values[recognition_id].append(Named(pk, name))
    rows = Recognition.objects.filter(pk__in=wanted).values_list(
        "pk", "giver_id", "giver__user__first_name", "giver__user__last_name", "giver__user__username", "team_id",
        "team__name", "message", "visibility", "for_type", "for_id", "for_label", "points_total", "created_at",
    )  # fmt: skip
    return {
        pk: Shown(
            pk=pk,
            giver=Named(giver_id, person_name(first, last, username)),
            team=Named(team_id, team_name) if team_id is not None else None,
            message=message,
            visibility=visibility,
            for_type=for_type,
            for_id=for_id,
            for_label=for_label,
            points_total=points_total,
            created_at=created_at,
            recipients=tuple(recipients[pk]),
            values=tuple(values[pk]),
        )
        for (
            pk,
            giver_id,
            first,
            last,
            username,
            team_id,
            team_name,
            message,
            visibility,
            for_type,
            for_id,
            for_label,
            points_total,
            created_at,
        ) in rows  # fmt: skip
    }


def shown_for(*, actor: User | None, recognition_id: int) -> Shown:
    """One recognition as its card shows it, for those who may see it; ``NotFound`` for the others."""
    employee = member_of(actor)
    visible = Recognition.objects.filter(_visible(employee), pk=recognition_id).values_list("pk", flat=True)[:1]
    found = shown_by_id(visible)
    if not found:
        raise NotFound(_("No recognition with this id."))
    return found[recognition_id]


def _recognition_base() -> QuerySet[Recognition]:
    return recognition_cards(Recognition.objects.all())


def _visible(employee: Employee | None) -> Q:
    """Who sees a recognition: everyone in the organisation a public one; the members of the
    recipients' units a team one; and always the giver, the recipients and the recipients' managers."""
    if employee is None:
        return Q(pk__in=[])
    involved = Q(giver=employee) | Q(recipients__employee=employee) | Q(recipients__employee__manager=employee)
    team = (
        Q(visibility=Visibility.TEAM, recipients__employee__unit_id=employee.unit_id)
        if employee.unit_id
        else Q(pk__in=[])
    )
    return Q(visibility=Visibility.PUBLIC) | team | involved


def recognition_list_for(
    *,
    actor: User | None,
    scope: str = "wall",
    value_id: int | None = None,
    unit_id: int | None = None,
    person_id: int | None = None,
    member: Employee | None = None,
) -> QuerySet[Recognition]:
    """``wall``: the public ones; ``mine``: those I received; ``given``: those I gave; newest first.
    Filters: a value, a recipients' unit, a person among the recipients. A page that read the
    caller's person already (``member_of``) passes it as ``member``, so it is not read again."""
    employee = member if member is not None and member.user_id == getattr(actor, "pk", None) else member_of(actor)
    if employee is None:
        return Recognition.objects.none()
    if scope == "mine":
        ids = RecognitionRecipient.objects.filter(employee=employee).values("recognition_id")
        recognitions = Recognition.objects.filter(pk__in=ids)
    elif scope == "given":
        recognitions = Recognition.objects.filter(giver=employee)
    else:
        recognitions = Recognition.objects.filter(visibility=Visibility.PUBLIC)
    if value_id is not None:
        recognitions = recognitions.filter(
            pk__in=Recognition.values.through.objects.filter(value_id=value_id).values("recognition_id")
        )
    if unit_id is not None:
        recognitions = recognitions.filter(
            pk__in=RecognitionRecipient.objects.filter(employee__unit_id=unit_id).values("recognition_id")
        )
    if person_id is not None:
        recognitions = recognitions.filter(
            pk__in=RecognitionRecipient.objects.filter(employee_id=person_id).values("recognition_id")
        )
    return recognitions.order_by("-created_at", "-pk")


def recognition_get_for(*, actor: User | None, recognition_id: int) -> Recognition:
    employee = member_of(actor)
    recognition = _recognition_base().filter(_visible(employee), pk=recognition_id).distinct().first()
    if recognition is None:
        raise NotFound(_("No recognition with this id."))
    return recognition


# --- what the pages read besides -------------------------------------------------------------------


def is_people_ops(actor: User | None) -> bool:
    return actor is not None and actor.is_authenticated and people.roles_of(user=actor).people_ops


@dataclass(frozen=True)
class Boosts:
    """The boosts of one recognition: how many, their points (to each recipient), and whether the
    reader is among those who boosted it."""

    count: int = 0
    points: int = 0
    mine: bool = False


def boosts_of(*, recognition_ids: Iterable[int], employee_id: int | None) -> dict[int, Boosts]:
    """Each recognition's boosts, in one query (recognitions without any are left out)."""
    ids = list(recognition_ids)
    if not ids:
        return {}
    rows = (
        Boost.objects.filter(recognition_id__in=ids)
        .values("recognition_id")
        .annotate(n=Count("pk"), points=Sum("points"), mine=Count("pk", filter=Q(giver_id=employee_id or 0)))
        .values_list("recognition_id", "n", "points", "mine")
    )
    return {pk: Boosts(count=int(n), points=int(points or 0), mine=bool(mine)) for pk, n, points, mine in rows}


def people_to_pick(*, q: str, limit: int, exclude_id: int | None = None) -> list[Employee]:
    """Active people whose first name, last name or e-mail contains every word typed, by name."""
    found = Employee.objects.filter(is_active=True).select_related("user", "unit")
    if exclude_id is not None:
        found = found.exclude(pk=exclude_id)
    for word in q.split()[:3]:
        found = found.filter(
            Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word) | Q(user__email__icontains=word)
        )
    return list(found.order_by("sort_name", "pk")[:limit])


def people_named(*, employee_ids: Iterable[int]) -> list[Employee]:
    """Active people by id, in the order given, with their profiles (their recognition preference)."""
    wanted = list(dict.fromkeys(employee_ids))
    if not wanted:
        return []
    found = {
        person.pk: person
        for person in Employee.objects.select_related("user", "unit", "profile").filter(pk__in=wanted, is_active=True)
    }
    return [found[pk] for pk in wanted if pk in found]


def people_by_id(*, employee_ids: Iterable[int]) -> dict[int, Employee]:
    """People named by id (active or not), with their accounts' names, in one query."""
    ids = set(employee_ids)
    if not ids:
        return {}
    return {person.pk: person for person in Employee.objects.select_related("user").filter(pk__in=ids)}


def team_members(*, unit_id: int, exclude_id: int | None) -> list[Employee]:
    """The active members of one unit (not those below it), as a recognition of the team names them."""
    members = Employee.objects.select_related("user", "profile").filter(unit_id=unit_id, is_active=True)
    if exclude_id is not None:
        members = members.exclude(pk=exclude_id)
    return list(members.order_by("sort_name", "pk"))


def units_to_pick() -> QuerySet[Unit]:
    """Every unit, in the tree's order, for choosing a team."""
    return Unit.objects.order_by("path", "pk")


def unit_get(*, unit_id: int) -> Unit | None:
    return Unit.objects.filter(pk=unit_id).first()


def values_all() -> QuerySet[Value]:
    return Value.objects.order_by("position", "name", "pk")


def value_get(*, value_id: int) -> Value:
    value = Value.objects.filter(pk=value_id).first()
    if value is None:
        raise NotFound(_("No value with this id."))
    return value


def point_rules() -> dict[str, PointRule]:
    return {rule.event_type: rule for rule in PointRule.objects.all()}


# --- rewards and redemptions ------------------------------------------------------------------------


def rewards_in_catalog() -> QuerySet[Reward]:
    """What people may redeem, in the catalog's order."""
    return Reward.objects.filter(is_active=True).order_by("position", "points_cost", "name", "pk")


def rewards_all() -> QuerySet[Reward]:
    """Every reward, those taken out of the catalog too (people-ops)."""
    return Reward.objects.order_by("-is_active", "position", "points_cost", "name", "pk")


def reward_get(*, reward_id: int, in_catalog: bool = True) -> Reward:
    rewards = rewards_in_catalog() if in_catalog else Reward.objects.all()
    reward = rewards.filter(pk=reward_id).first()
    if reward is None:
        raise NotFound(_("No reward with this id is in the catalog."))
    return reward


def redeemed_of(*, employee_id: int) -> dict[int, int]:
    """How many of each reward the person has redeemed and not cancelled (for the per-person limits)."""
    rows = (
        Redemption.objects.filter(employee_id=employee_id)
        .exclude(state=RedemptionState.CANCELLED)
        .values("reward_id")
        .annotate(n=Sum("quantity"))
        .values_list("reward_id", "n")
    )
    return {reward_id: int(n or 0) for reward_id, n in rows}


def redemptions_of(*, employee_id: int) -> QuerySet[Redemption]:
    """The person's redemptions, newest first."""
    return Redemption.objects.filter(employee_id=employee_id).select_related("reward").order_by("-created_at", "-pk")


def redemption_get_for(*, actor: User | None, redemption_id: int) -> Redemption:
    """A redemption its person or people-ops may see; NotFound for everyone else."""
    redemption = Redemption.objects.select_related("reward", "employee__user").filter(pk=redemption_id).first()
    mine = redemption is not None and actor is not None and redemption.employee.user_id == actor.pk
    if redemption is None or not (mine or is_people_ops(actor)):
        raise NotFound(_("No redemption with this id."))
    return redemption


def redemptions_held() -> QuerySet[Redemption]:
    """The fulfilment queue: redemptions whose points are held, the oldest first."""
    return (
        Redemption.objects.filter(state=RedemptionState.HELD)
        .select_related("reward", "employee__user", "employee__unit")
        .order_by("created_at", "pk")
    )


def redemptions_by_id(*, ids: Iterable[int]) -> dict[int, Redemption]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {row.pk: row for row in Redemption.objects.select_related("reward").filter(pk__in=wanted)}


# --- spot awards ------------------------------------------------------------------------------------


def _awards() -> QuerySet[Award]:
    return Award.objects.select_related("giver__user", "recipient__user", "approver__user").prefetch_related("values")


def awards_waiting_for(*, actor: User | None) -> QuerySet[Award]:
    """Awards waiting for the caller's decision, the oldest first: those naming them as approver,
    and for people-ops every pending award but those they gave or would receive."""
    employee = member_of(actor)
    pending = _awards().filter(state=AwardState.PENDING)
    if is_people_ops(actor):
        mine = pending.exclude(giver=employee).exclude(recipient=employee) if employee is not None else pending
    elif employee is not None:
        mine = pending.filter(approver=employee).exclude(giver=employee)
    else:
        return Award.objects.none()
    return mine.order_by("created_at", "pk")


def awards_given_by(*, employee_id: int) -> QuerySet[Award]:
    return _awards().filter(giver_id=employee_id).order_by("-created_at", "-pk")


def award_get_for(*, actor: User | None, award_id: int) -> Award:
    """An award its giver, recipient or approver, or people-ops, may see; NotFound otherwise."""
    award = _awards().filter(pk=award_id).first()
    employee = member_of(actor)
    involved = employee is not None and award is not None and employee.pk in award_people(award)
    if award is None or not (involved or is_people_ops(actor)):
        raise NotFound(_("No spot award with this id."))
    return award


def award_people(award: Award) -> set[int]:
    return {award.giver_id, award.recipient_id, *([award.approver_id] if award.approver_id else [])}


def awards_by_transaction(*, transaction_ids: Iterable[int]) -> dict[int, Award]:
    """The awards these ledger transactions hold or pay, by transaction id; one query."""
    ids = set(transaction_ids)
    if not ids:
        return {}
    found: dict[int, Award] = {}
    for award in Award.objects.select_related("giver__user", "recipient__user").filter(
        Q(hold_id__in=ids) | Q(settlement_id__in=ids)
    ):
        for tx in (award.hold_id, award.settlement_id):
            if tx in ids:
                found[tx] = award
    return found


def recognitions_by_id(*, ids: Iterable[int]) -> dict[int, Recognition]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {row.pk: row for row in recognition_cards(Recognition.objects.filter(pk__in=wanted))}


# --- what the API lists -----------------------------------------------------------------------------


def reward_list_for(*, actor: User | None) -> list[Reward]:
    """The catalog the caller can redeem: active rewards offered everywhere or in their country, in
    the catalog's order (filtered here, as the redemption checks it: the catalog is short)."""
    employee = member_of(actor)
    if employee is None:
        return []
    country = employee.country.upper()
    return [
        reward
        for reward in rewards_in_catalog()
        if not reward.countries or country in {code.upper() for code in reward.countries}
    ]


def redemption_list_for(*, actor: User | None, mine: bool = True, state: str = "") -> QuerySet[Redemption]:
    """The caller's redemptions, or with ``mine=False`` everyone's (people-ops only: nothing for the
    others); newest first, narrowed to one ``state``."""
    employee = member_of(actor)
    if not mine and is_people_ops(actor):
        found = Redemption.objects.all()
    elif mine and employee is not None:
        found = Redemption.objects.filter(employee=employee)
    else:
        return Redemption.objects.none()
    if state:
        found = found.filter(state=state)
    return found.select_related("reward", "employee__user").order_by("-created_at", "-pk")


def award_list_for(*, actor: User | None, role: str = "", state: str = "") -> QuerySet[Award]:
    """Spot awards the caller gave (``giver``), received (``recipient``) or may decide on
    (``approver``: those naming them as approver, and for people-ops every award that needed a second
    approver but those they gave or received); without a role all three; newest first, narrowed to
    one ``state``."""
    employee = member_of(actor)
    if employee is None:
        return Award.objects.none()
    deciding = Q(approver=employee)
    if is_people_ops(actor):
        deciding |= Q(hold__isnull=False)
    deciding &= ~Q(giver=employee) & ~Q(recipient=employee)
    by_role = {"giver": Q(giver=employee), "recipient": Q(recipient=employee), "approver": deciding}
    found = (
        _awards()
        .select_related("decided_by__user")
        .filter(by_role.get(role) or (by_role["giver"] | by_role["recipient"] | deciding))
    )
    if state:
        found = found.filter(state=state)
    return found.order_by("-created_at", "-pk")
