"""Recognition's state: the organisation's values, recognitions and boosts, and the points ledger.

The ledger is append-only double-entry bookkeeping in whole points (ADR 0013). Every movement is a
:class:`LedgerTransaction` whose :class:`Entry` rows sum to zero across :class:`Account` rows. An
account's ``balance`` is the running sum of its entries, kept in the same database transaction as
they are written, and may never go below zero (a check constraint, and a guarded update in
``ledger.py``) except the organisation's issuance account, which is where points come from.
Nothing here is ever updated or deleted but the balances; a correction is a reversing transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insideout.core.models import BaseModel


class Value(BaseModel):
    """One of the organisation's values; a recognition names one or more."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("what it looks like"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("value")
        verbose_name_plural = _("values")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class AccountKind(models.TextChoices):
    ALLOWANCE = "allowance", _("Allowance to give")
    EARNED = "earned", _("Earned points")
    BUDGET = "budget", _("Spot-award budget")
    ISSUANCE = "issuance", _("Issued by the organisation")
    EXPIRED = "expired", _("Expired allowances and budgets")
    HELD = "held", _("Held for redemptions")
    REDEEMED = "redeemed", _("Redeemed for rewards")


PERSONAL_KINDS = (AccountKind.ALLOWANCE, AccountKind.EARNED, AccountKind.BUDGET)
ORGANISATION_KINDS = (AccountKind.ISSUANCE, AccountKind.EXPIRED, AccountKind.HELD, AccountKind.REDEEMED)


class Account(models.Model):
    """A balance of points: a person's allowance, earned points or budget, or one of the organisation's.

    ``period`` says which month (``2026-12``) an allowance or budget was last refilled for; a read in
    a later month sees the refill that the next write will post (``ledger.allowance_refresh``).
    """

    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    owner = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="point_accounts"
    )
    balance = models.BigIntegerField(_("balance"), default=0)
    period = models.CharField(max_length=7, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("points account")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner"], condition=models.Q(owner__isnull=False), name="account_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(owner__isnull=True), name="account_one_per_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False, kind__in=["allowance", "earned", "budget"])
                | models.Q(owner__isnull=True, kind__in=["issuance", "expired", "held", "redeemed"]),
                name="account_owner_fits_kind",
            ),
            # The guarded update in ledger.py refuses first with a clear message; this is the floor
            # nothing can go through, whatever writes to the table.
            models.CheckConstraint(
                condition=models.Q(balance__gte=0) | models.Q(kind="issuance"), name="account_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.owner_id or 'org'}"


class TransactionKind(models.TextChoices):
    GIVE = "give", _("Recognition")
    BOOST = "boost", _("Boost")
    AWARD = "award", _("Spot award")
    REFILL = "refill", _("Monthly refill")
    EXPIRY = "expiry", _("Expiry")
    GRANT = "grant", _("Points by rule")
    HOLD = "hold", _("Held for a redemption")
    SETTLE = "settle", _("Redemption settled")
    RELEASE = "release", _("Redemption cancelled")
    FUND = "fund", _("Budget funded")
    REVERSAL = "reversal", _("Correction")


class LedgerTransaction(models.Model):
    """One movement of points: its entries sum to zero. ``subject_type``/``subject_id`` name what it
    was for (a recognition, a redemption); ``reverses`` the transaction a correction undoes."""

    kind = models.CharField(_("kind"), max_length=10, choices=TransactionKind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.CharField(max_length=40, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    # Set by writers that may run more than once for the same cause (an event handler granting
    # points): a second posting with the same reference is refused by the database.
    reference = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("ledger transaction")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="ledger_tx_subject_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class Entry(models.Model):
    """One side of a transaction: points into (positive) or out of (negative) one account."""

    # Both foreign keys are served by the covering indexes below instead of their own.
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries", db_index=False)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", db_index=False)
    amount = models.BigIntegerField()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="entry_not_zero")]
        indexes = [
            # A person's history, newest first; and the verification's sum per account (covering).
            models.Index(fields=["account", "transaction", "amount"], name="entry_account_idx"),
            # A transaction's entries, and the verification's sum per transaction (covering).
            models.Index(fields=["transaction", "amount"], name="entry_transaction_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} on {self.account_id}"


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public, on the wall")
    TEAM = "team", _("The recipients' teams")
    PRIVATE = "private", _("Only the people involved")


class Recognition(BaseModel):
    """A colleague's recognition of one or more people (or a whole team), naming values and
    optionally giving points from the giver's allowance."""

    giver = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="recognitions_given")
    message = models.TextField(_("message"))
    values = models.ManyToManyField(Value, verbose_name=_("values"), related_name="recognitions")
    team = models.ForeignKey(
        "people.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("team")
    )
    # The most private of the recipients' recognition preferences when it was given.
    visibility = models.CharField(_("who sees it"), max_length=10, choices=Visibility.choices)
    # What it was for: "servicedesk.request" / "12", "servicedesk.commitment" / "7", …
    for_type = models.CharField(max_length=60, blank=True)
    for_id = models.CharField(max_length=40, blank=True)
    for_label = models.CharField(max_length=200, blank=True)
    points_total = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        indexes = [
            # The wall: public recognitions, newest first.
            models.Index(fields=["visibility", "-created_at", "-id"], name="recognition_wall_idx"),
            models.Index(fields=["giver", "-created_at"], name="recognition_giver_idx"),
        ]

    def __str__(self) -> str:
        return f"recognition {self.pk}"


class RecognitionRecipient(models.Model):
    recognition = models.ForeignKey(Recognition, on_delete=models.CASCADE, related_name="recipients")
    employee = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="recognitions_received")
    points = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recognition", "employee"], name="recognition_recipient_unique"),
        ]
        indexes = [
            models.Index(fields=["employee", "-created_at"], name="recognition_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} in {self.recognition_id}"


class Boost(models.Model):
    """Someone else's "+10" on a public recognition, split over its recipients."""

    recognition = models.ForeignKey(Recognition, on_delete=models.CASCADE, related_name="boosts")
    giver = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField()
    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["recognition", "created_at"], name="boost_recognition_idx")]

    def __str__(self) -> str:
        return f"+{self.points} on {self.recognition_id}"


class RewardKind(models.TextChoices):
    MERCHANDISE = "merchandise", _("Merchandise")
    GIFT_CARD = "gift_card", _("Gift card")
    EXPERIENCE = "experience", _("Experience")
    DONATION = "donation", _("Charity donation")


def _reward_picture_path(instance: Reward, filename: str) -> str:
    return f"rewards/{timezone.now():%Y%m%d%H%M%S%f}-{filename}"


class Reward(BaseModel):
    """An item of the rewards catalog, managed by people-ops."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=RewardKind.choices, default=RewardKind.MERCHANDISE)
    picture = models.FileField(_("picture"), upload_to=_reward_picture_path, max_length=300, blank=True)
    points_cost = models.PositiveIntegerField(_("points"))
    # None: unlimited. Taken with a guarded update when redeemed, given back when cancelled.
    stock = models.PositiveIntegerField(_("in stock"), null=True, blank=True)
    per_person_limit = models.PositiveIntegerField(_("most one person may redeem"), null=True, blank=True)
    countries = models.JSONField(_("available in (ISO country codes; empty: everywhere)"), default=list, blank=True)
    # Empty: fulfilled by hand by people-ops; else the name of a gift-card provider (providers.py).
    provider = models.CharField(_("fulfilled by"), max_length=40, blank=True)
    provider_sku = models.CharField(_("provider's product code"), max_length=100, blank=True)
    is_active = models.BooleanField(_("in the catalog"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["position", "points_cost", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(points_cost__gte=1), name="reward_costs_points"),
        ]

    def __str__(self) -> str:
        return self.name


class RedemptionState(models.TextChoices):
    HELD = "held", _("Points held, being fulfilled")
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled, points returned")


class Redemption(BaseModel):
    """A person's redemption of a reward: the points are held when it is made, then spent when it
    is issued, or given back when it is cancelled (ADR 0013)."""

    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    employee = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveSmallIntegerField(default=1)
    points = models.PositiveIntegerField()
    # The reward's value in money when redeemed (points / points per unit), for the payroll export.
    value_cents = models.PositiveBigIntegerField(default=0)
    currency = models.CharField(max_length=3, default="EUR")
    state = models.CharField(max_length=10, choices=RedemptionState.choices, default=RedemptionState.HELD)
    hold = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="+")
    settlement = models.OneToOneField(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("code or tracking note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The provider's side: our id is the order's reference, so asking again never orders twice.
    provider = models.CharField(max_length=40, blank=True)
    provider_status = models.CharField(max_length=20, blank=True)
    provider_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="held", settlement__isnull=True)
                | models.Q(state__in=["issued", "cancelled"], settlement__isnull=False),
                name="redemption_settled_when_decided",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="redemption_quantity"),
        ]
        indexes = [
            models.Index(fields=["employee", "-created_at"], name="redemption_employee_idx"),
            models.Index(fields=["state", "created_at"], name="redemption_queue_idx"),
            models.Index(fields=["reward", "employee", "state"], name="redemption_limit_idx"),
        ]

    def __str__(self) -> str:
        return f"redemption {self.pk} ({self.state})"


class AwardState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class Award(BaseModel):
    """A spot award: points from a manager's or lead's budget to one person, for a reason. Above
    ``RECOGNITION_AWARD_APPROVAL_ABOVE`` points it waits for a second approver (the giver's manager,
    or people-ops) with the points held; otherwise it is paid at once."""

    giver = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="awards_given")
    recipient = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="awards_received")
    points = models.PositiveIntegerField(_("points"))
    reason = models.TextField(_("reason"))
    values = models.ManyToManyField(Value, blank=True, related_name="+")
    state = models.CharField(max_length=10, choices=AwardState.choices, default=AwardState.PENDING)
    approver = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="awards_to_approve"
    )
    decided_by = models.ForeignKey("people.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    hold = models.OneToOneField(LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    settlement = models.OneToOneField(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("spot award")
        verbose_name_plural = _("spot awards")
        constraints = [
            models.CheckConstraint(condition=~models.Q(giver=models.F("recipient")), name="award_not_to_oneself"),
            models.CheckConstraint(condition=models.Q(points__gte=1), name="award_points"),
            models.CheckConstraint(
                condition=models.Q(state="pending", settlement__isnull=True)
                | models.Q(state__in=["paid", "rejected"], settlement__isnull=False),
                name="award_settled_when_decided",
            ),
        ]
        indexes = [
            models.Index(fields=["approver", "state"], name="award_approver_idx"),
            models.Index(fields=["state", "created_at"], name="award_state_idx"),
            models.Index(fields=["recipient", "-created_at"], name="award_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"award {self.pk} ({self.state})"


class PointRule(BaseModel):
    """Points granted by rule when something happens elsewhere: ``points`` to each person the event
    names (see ``rules.RULE_EVENTS`` for the events a rule can use). Off until people-ops switch it on."""

    event_type = models.CharField(_("when"), max_length=100, unique=True)
    points = models.PositiveIntegerField(_("points to each person"), default=0)
    is_active = models.BooleanField(_("on"), default=False)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")

    def __str__(self) -> str:
        return f"{self.event_type}: {self.points}"


# --- badges, team goals --------------------------------------------------------------------------


class BadgeKind(models.TextChoices):
    AUTO = "auto", _("Awarded by rule")
    MANUAL = "manual", _("Granted by a manager")


class Badge(BaseModel):
    """A badge of the catalog: awarded by its rules when what they count happens (``auto``), or
    granted by a manager, a lead above the person or people-ops (``manual``)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("what it stands for"), blank=True)
    # An emoji or a short text shown with the name.
    icon = models.CharField(_("icon"), max_length=16, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=BadgeKind.choices, default=BadgeKind.AUTO)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class BadgeWindow(models.TextChoices):
    EVER = "ever", _("In all")
    STREAK = "streak", _("In a row")
    DAYS = "days", _("Within a number of days")
    MONTH = "month", _("In one calendar month")


class BadgeRule(BaseModel):
    """When a badge is awarded: ``threshold`` events of ``event_type`` (or of ``also_counts``) that
    meet ``condition``, for the person the payload field ``counted_for`` names, within ``window``.
    With ``distinct_on`` they must differ in that key ("5 different units"). A streak starts again
    at an event of ``breaks_on``. ``badges.BADGE_EVENTS`` lists the events and people a rule can
    name, ``badges.DERIVED_KEYS`` the keys computed from the event (see docs/recognition.md)."""

    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="rules")
    event_type = models.CharField(_("counts"), max_length=100)
    # More event types counted the same way, into the same progress: ["recognition.given"].
    also_counts = models.JSONField(_("also counts"), default=list, blank=True)
    # Equality tests all of which must hold: {"payload.by": "reply"}, {"first_response_in_time": true}.
    condition = models.JSONField(_("only when"), default=dict, blank=True)
    threshold = models.PositiveIntegerField(_("how many"))
    window = models.CharField(_("window"), max_length=10, choices=BadgeWindow.choices, default=BadgeWindow.EVER)
    window_days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    breaks_on = models.CharField(_("a streak starts again at"), max_length=100, blank=True)
    counted_for = models.CharField(_("counted for"), max_length=40)
    distinct_on = models.CharField(_("all different in"), max_length=60, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("badge rule")
        verbose_name_plural = _("badge rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(threshold__gte=1), name="badge_rule_threshold"),
            models.CheckConstraint(
                condition=models.Q(window="days", window_days__gte=1)
                | (~models.Q(window="days") & models.Q(window_days__isnull=True)),
                name="badge_rule_days_only_for_days",
            ),
            models.CheckConstraint(
                condition=models.Q(window="streak") | models.Q(breaks_on=""), name="badge_rule_breaks_only_streaks"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.badge_id}: {self.threshold} × {self.event_type} ({self.window})"


class BadgeProgress(models.Model):
    """How far one person is with one rule, updated in O(1) per event: ``count`` in the current
    streak, month or in all; ``keys`` the distinct keys seen (``distinct_on``), or for a ``days``
    window the recent events as ``[time, key]``; ``run`` numbers the streaks (a break starts the
    next); ``achieved`` the achievement already awarded from this row."""

    rule = models.ForeignKey(BadgeRule, on_delete=models.CASCADE, related_name="progress")
    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    # "2026-12" for a month window; empty otherwise.
    period = models.CharField(max_length=7, blank=True, default="")
    count = models.PositiveIntegerField(default=0)
    keys = models.JSONField(default=list, blank=True)
    run = models.PositiveIntegerField(default=1)
    achieved = models.CharField(max_length=60, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("badge progress")
        verbose_name_plural = _("badge progress")
        constraints = [
            models.UniqueConstraint(fields=["rule", "employee", "period"], name="badge_progress_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.employee_id}/{self.period}: {self.count}"


class BadgeRuleEvent(models.Model):
    """An event a rule has counted: a second delivery of the same event changes nothing."""

    rule = models.ForeignKey(BadgeRule, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("core.Event", on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "rule"], name="badge_rule_event_once")]

    def __str__(self) -> str:
        return f"{self.rule_id}:{self.event_id}"


class BadgeAward(models.Model):
    """A badge awarded to a person, once per ``achievement`` ("ever", "2026-12", "streak 2", a day
    for a manual grant): the unique constraint keeps the same achievement from being awarded twice."""

    badge = models.ForeignKey(Badge, on_delete=models.PROTECT, related_name="awards")
    employee = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField(_("awarded"), default=timezone.now)
    achievement = models.CharField(max_length=60)
    rule = models.ForeignKey(BadgeRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_by = models.ForeignKey("people.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("badge awarded")
        verbose_name_plural = _("badges awarded")
        constraints = [
            models.UniqueConstraint(fields=["badge", "employee", "achievement"], name="badge_award_once"),
        ]
        indexes = [
            models.Index(fields=["employee", "-awarded_at"], name="badge_award_employee_idx"),
            # Leaderboards count the badges of a period.
            models.Index(fields=["awarded_at", "employee"], name="badge_award_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.badge_id} to {self.employee_id} ({self.achievement})"


class TeamGoalMetric(models.TextChoices):
    POINTS = "points", _("Points received")
    RECOGNITIONS = "recognitions", _("Recognitions received")


class TeamGoal(BaseModel):
    """A team meter: a unit's shared goal of points or recognitions received by its members (and
    those of the units below) between two days, for organisations that prefer it to rankings."""

    unit = models.ForeignKey("people.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("team"))
    title = models.CharField(_("title"), max_length=200)
    metric = models.CharField(_("counts"), max_length=15, choices=TeamGoalMetric.choices)
    target = models.PositiveIntegerField(_("target"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_by = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("shown"), default=True)

    class Meta:
        verbose_name = _("team goal")
        verbose_name_plural = _("team goals")
        constraints = [
            models.CheckConstraint(condition=models.Q(target__gte=1), name="team_goal_target"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="team_goal_period"),
        ]
        indexes = [models.Index(fields=["unit", "-ends_on"], name="team_goal_unit_idx")]

    def __str__(self) -> str:
        return self.title
