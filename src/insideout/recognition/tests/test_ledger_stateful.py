"""Random sequences of gives, boosts, spending, reversals and month changes against a model of the
balances: after every step the stored balances equal the model and the journal, none is below zero,
and the journal sums to zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from insideout.core.errors import Conflict
from insideout.people.tests.factories import EmployeeFactory
from insideout.recognition import ledger, selectors, services
from insideout.recognition.models import AccountKind, Entry, LedgerTransaction, Recognition, Value

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PEOPLE = 4
_names = count()


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        run = next(_names)
        self.people = [EmployeeFactory(username=f"p{run}x{n}") for n in range(PEOPLE)]
        self.value = Value.objects.get_or_create(name="Be helpful")[0]
        self.now = START
        self.allowance = {person.pk: 0 for person in self.people}  # posted balance
        self.period = {person.pk: "" for person in self.people}
        self.earned = {person.pk: 0 for person in self.people}
        self.public: list[Recognition] = []
        self.reversible: list[tuple[LedgerTransaction, dict[int, int], dict[int, int]]] = []

    # --- the model's view of the allowance --------------------------------------------------------

    def _refresh(self, pk: int) -> None:
        period = selectors.period_of(self.now)
        if self.period[pk] != period:
            self.period[pk] = period
            self.allowance[pk] = selectors.monthly_allowance()

    def _available(self, pk: int) -> int:
        return selectors.monthly_allowance() if self.period[pk] != selectors.period_of(self.now) else self.allowance[pk]

    # --- rules -----------------------------------------------------------------------------------------

    @rule(
        giver=st.integers(0, PEOPLE - 1),
        to=st.sets(st.integers(0, PEOPLE - 1), min_size=1, max_size=3),
        points=st.integers(0, 60),
    )
    def give(self, giver: int, to: set[int], points: int) -> None:
        giver_person = self.people[giver]
        recipients = [self.people[n] for n in sorted(to)]
        expect_self = giver in to
        cost = points * len(recipients)
        refused_for: dict[str, list[str]] = {}
        conflict = False
        recognition = None
        try:
            recognition = services.recognition_give(
                actor=giver_person.user,
                to=[person.pk for person in recipients],
                message="Thanks",
                values=[self.value.pk],
                points=points,
                now=self.now,
            )
        except ValidationError as exc:
            refused_for = exc.message_dict
        except Conflict:
            conflict = True
        if refused_for:
            assert expect_self or "points" in refused_for, refused_for  # itself, or the pair cap
            return
        if conflict:
            assert cost > self._available(giver_person.pk)
            return
        assert recognition is not None
        assert not expect_self
        assert cost <= self._available(giver_person.pk)
        if points:
            self._refresh(giver_person.pk)
            self.allowance[giver_person.pk] -= cost
            for person in recipients:
                self.earned[person.pk] += points
            move = LedgerTransaction.objects.filter(kind="give").latest("pk")
            self.reversible.append((move, {giver_person.pk: cost}, {person.pk: points for person in recipients}))
        self.public.append(recognition)

    @rule(booster=st.integers(0, PEOPLE - 1), which=st.integers(0, 50), points=st.integers(1, 30))
    def boost(self, booster: int, which: int, points: int) -> None:
        if not self.public:
            return
        recognition = self.public[which % len(self.public)]
        person = self.people[booster]
        recipients = list(recognition.recipients.values_list("employee_id", flat=True))
        try:
            services.recognition_boost(actor=person.user, recognition=recognition, points=points, now=self.now)
        except ValidationError:
            return  # the pair cap
        except Conflict:
            involved = person.pk == recognition.giver_id or person.pk in recipients
            assert involved or points * len(recipients) > self._available(person.pk)
            return
        self._refresh(person.pk)
        self.allowance[person.pk] -= points * len(recipients)
        for pk in recipients:
            self.earned[pk] += points

    @rule(who=st.integers(0, PEOPLE - 1), points=st.integers(1, 80))
    def spend(self, who: int, points: int) -> None:
        pk = self.people[who].pk
        earned = ledger.account_for(kind=AccountKind.EARNED, owner_id=pk)
        spent = ledger.account_for(kind=AccountKind.REDEEMED)
        try:
            ledger.ledger_post(kind="settle", movements=[(earned, -points), (spent, points)], occurred_at=self.now)
        except ledger.InsufficientPoints:
            assert points > self.earned[pk]
            return
        assert points <= self.earned[pk]
        self.earned[pk] -= points

    @rule(which=st.integers(0, 50))
    def reverse(self, which: int) -> None:
        if not self.reversible:
            return
        move, paid, received = self.reversible.pop(which % len(self.reversible))
        try:
            ledger.ledger_reverse(original=move, actor=None, memo="test", occurred_at=self.now)
        except ledger.InsufficientPoints:
            assert any(self.earned[pk] < points for pk, points in received.items())
            return
        for pk, points in received.items():
            self.earned[pk] -= points
        for pk, points in paid.items():
            # The allowance it came from gets it back, whatever month it is now (then it may expire).
            self.allowance[pk] += points

    @rule(days=st.integers(1, 40))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    # --- invariants ------------------------------------------------------------------------------------

    @invariant()
    def balances_match_the_model_and_the_journal(self) -> None:
        for person in self.people:
            accounts = selectors.balances_of(owner_id=person.pk)
            allowance = accounts.get(AccountKind.ALLOWANCE)
            earned = accounts.get(AccountKind.EARNED)
            assert (int(allowance.balance) if allowance else 0) == self.allowance[person.pk]
            assert (int(earned.balance) if earned else 0) == self.earned[person.pk]
            assert selectors.points_of(employee_id=person.pk, now=self.now).allowance == self._available(person.pk)
        result = ledger.ledger_verify()
        assert result.ok, (result.mismatches, result.unbalanced, result.negative)

    @invariant()
    def the_journal_sums_to_zero(self) -> None:
        assert (Entry.objects.aggregate(total=Sum("amount"))["total"] or 0) == 0


@pytest.mark.django_db
def test_the_ledger_under_random_sequences() -> None:
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
