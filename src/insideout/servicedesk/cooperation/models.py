"""The cooperation layer's state: commitments and their revisions, needed-by negotiations,
obstacles, feedback with its follow-ups, and thank-you notes.

Rules live in ``services.py``; this module holds state and what the database can enforce.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insideout.core.models import BaseModel


class CommitmentState(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")


SETTLED_STATES = (CommitmentState.KEPT, CommitmentState.BROKEN)


class Commitment(BaseModel):
    """A promise by one person to another to have something done by a date and time.

    On a request the recipient is the requester and the title is the request's subject; outside
    requests the title says what is promised. ``due_at`` is the current promise and
    ``original_due_at`` the first one; every version is a :class:`CommitmentRevision`.
    """

    owner = models.ForeignKey(
        "people.Employee", verbose_name=_("committed by"), on_delete=models.PROTECT, related_name="commitments_made"
    )
    recipient = models.ForeignKey(
        "people.Employee", verbose_name=_("committed to"), on_delete=models.PROTECT, related_name="commitments_received"
    )
    # The owner's unit when the promise was made: kept-rates count for the team of that day.
    owner_unit = models.ForeignKey("people.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    request = models.ForeignKey(
        "servicedesk.Request", null=True, blank=True, on_delete=models.CASCADE, related_name="commitments"
    )
    title = models.CharField(_("what is promised"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=CommitmentState.choices, default=CommitmentState.OPEN)
    due_at = models.DateTimeField(_("due"))
    original_due_at = models.DateTimeField(_("first promised for"))
    moves = models.PositiveSmallIntegerField(_("times moved"), default=0)
    settled_at = models.DateTimeField(_("kept or broken at"), null=True, blank=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(state="open", request__isnull=False),
                name="commitment_one_open_per_request",
                violation_error_message=_("This request already has an open commitment."),
            ),
            models.CheckConstraint(
                condition=models.Q(request__isnull=False) | ~models.Q(title=""),
                name="commitment_says_what",
            ),
            models.CheckConstraint(
                condition=models.Q(state="open", settled_at__isnull=True)
                | models.Q(state__in=["kept", "broken"], settled_at__isnull=False),
                name="commitment_settled_when_done",
            ),
        ]
        indexes = [
            # The sweep reads only open promises whose time has come. Not a partial index on
            # state = 'open': SQLite never uses one for a state given as a bound parameter (ADR 0010).
            models.Index(fields=["state", "due_at"], name="commitment_state_due_idx"),
            models.Index(fields=["owner", "state", "due_at"], name="commitment_owner_idx"),
            models.Index(fields=["recipient", "state", "due_at"], name="commitment_recipient_idx"),
            # Kept-rates: settled promises per person and per unit over a period.
            models.Index(
                fields=["owner", "settled_at"],
                name="commitment_owner_settled_idx",
                condition=models.Q(settled_at__isnull=False),
            ),
            models.Index(
                fields=["owner_unit", "settled_at"],
                name="commitment_unit_settled_idx",
                condition=models.Q(settled_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"commitment {self.pk} ({self.state})"

    @property
    def moved_by(self) -> timedelta:
        """How far the promise has moved from the first date (negative when it moved earlier)."""
        return self.due_at - self.original_due_at


class CommitmentRevision(models.Model):
    """One version of a commitment's due date: number 1 is the original promise."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField(_("due"))
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("commitment revision")
        constraints = [
            models.UniqueConstraint(fields=["commitment", "number"], name="commitment_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} v{self.number}"


class NeededByState(models.TextChoices):
    WITHIN_STANDARD = "within_standard", _("Within the standard")
    PROPOSED = "proposed", _("Proposed")
    COUNTERED = "countered", _("Counter-proposed")
    ACCEPTED = "accepted", _("Accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


NEGOTIATING_STATES = (NeededByState.PROPOSED, NeededByState.COUNTERED)


class NeededBy(BaseModel):
    """The requester's "I need it by … because …", and the negotiation it starts when it is sooner
    than the standard allows."""

    request = models.ForeignKey("servicedesk.Request", on_delete=models.CASCADE, related_name="needed_by_dates")
    requested_by = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    needed_by = models.DateTimeField(_("needed by"))
    reason = models.TextField(_("why"))
    # What the date was compared with: the request's open commitment, else its resolution clock's due
    # time (None: neither, so any date needs the provider's word).
    promised_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=NeededByState.choices)
    counter_due_at = models.DateTimeField(_("counter-proposal"), null=True, blank=True)
    responded_by = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commitment = models.ForeignKey(Commitment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("needed-by date")
        verbose_name_plural = _("needed-by dates")
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(state__in=["proposed", "countered"]),
                name="needed_by_one_negotiation_per_request",
                violation_error_message=_("This request already has a negotiation under way."),
            ),
        ]
        indexes = [models.Index(fields=["request", "created_at"], name="needed_by_request_idx")]

    def __str__(self) -> str:
        return f"needed by {self.needed_by:%Y-%m-%d %H:%M} ({self.state})"


class ObstacleState(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class WaitingOn(models.TextChoices):
    PERSON = "person", _("A person")
    REQUEST = "request", _("Another request")
    OUTSIDE = "outside", _("An outside party")


class Obstacle(BaseModel):
    """What blocks an open request, what it waits on, and when the desk now expects to go on.

    It waits on exactly one of: a person, another request (linked, so that request's desk sees it
    in its "blocking others" queue), or an outside party named in words.
    """

    request = models.ForeignKey("servicedesk.Request", on_delete=models.CASCADE, related_name="obstacles")
    flagged_by = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("what is blocking"))
    waiting_on = models.CharField(_("waiting on"), max_length=10, choices=WaitingOn.choices)
    waiting_on_person = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waiting_on_request = models.ForeignKey(
        "servicedesk.Request", null=True, blank=True, on_delete=models.PROTECT, related_name="blocking"
    )
    waiting_on_outside = models.CharField(_("outside party"), max_length=200, blank=True)
    expected_at = models.DateTimeField(_("expected new date"))
    state = models.CharField(_("state"), max_length=10, choices=ObstacleState.choices, default=ObstacleState.OPEN)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("obstacle")
        verbose_name_plural = _("obstacles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    waiting_on="person",
                    waiting_on_person__isnull=False,
                    waiting_on_request__isnull=True,
                    waiting_on_outside="",
                )
                | models.Q(
                    waiting_on="request",
                    waiting_on_person__isnull=True,
                    waiting_on_request__isnull=False,
                    waiting_on_outside="",
                )
                | (
                    models.Q(waiting_on="outside", waiting_on_person__isnull=True, waiting_on_request__isnull=True)
                    & ~models.Q(waiting_on_outside="")
                ),
                name="obstacle_waits_on_one_thing",
            ),
            models.CheckConstraint(
                condition=~models.Q(waiting_on_request=models.F("request")), name="obstacle_not_on_itself"
            ),
            models.CheckConstraint(
                condition=models.Q(state="open", resolved_at__isnull=True)
                | models.Q(state="resolved", resolved_at__isnull=False),
                name="obstacle_resolved_when_done",
            ),
        ]
        indexes = [
            models.Index(fields=["request", "state"], name="obstacle_request_idx"),
            # "Blocking others": the requests that open obstacles wait on (covering).
            models.Index(fields=["state", "waiting_on_request"], name="obstacle_waiting_idx"),
        ]

    def __str__(self) -> str:
        return f"obstacle {self.pk} on {self.request_id} ({self.state})"


class Feedback(models.Model):
    """The requester's rating of a resolved request: 1 to 5, with an optional comment; once."""

    request = models.OneToOneField("servicedesk.Request", on_delete=models.CASCADE, related_name="feedback")
    by = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 on {self.request_id}"


class FollowUpState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FollowUp(BaseModel):
    """A low rating, for the lead of the desk's unit to look into."""

    request = models.ForeignKey("servicedesk.Request", on_delete=models.CASCADE, related_name="follow_ups")
    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE, related_name="follow_up")
    lead = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    state = models.CharField(_("state"), max_length=8, choices=FollowUpState.choices, default=FollowUpState.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["lead", "state"], name="follow_up_lead_idx")]

    def __str__(self) -> str:
        return f"follow-up of {self.request_id} ({self.state})"


class ThankYou(models.Model):
    """A thank-you note on a request, to the people who helped (and, by notification, their managers)."""

    request = models.ForeignKey("servicedesk.Request", on_delete=models.CASCADE, related_name="thanks")
    giver = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="thanks_given")
    recipients = models.ManyToManyField("people.Employee", related_name="thanks_received")
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thank-you note")
        verbose_name_plural = _("thank-you notes")
        indexes = [models.Index(fields=["request", "created_at"], name="thanks_request_idx")]

    def __str__(self) -> str:
        return f"thanks {self.pk} on {self.request_id}"


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")


# An agreement in one of these states blocks another between the same two units.
LIVE_AGREEMENT_STATES = (AgreementState.DRAFT, AgreementState.PROPOSED, AgreementState.ACTIVE)


class Agreement(BaseModel):
    """An internal service agreement: a providing unit's promise to a consuming unit.

    The terms (services, targets, contacts, dates) live in :class:`AgreementVersion` rows; ``current``
    is the version both leads accepted last (None until the first is accepted), and a newer version
    may wait for acceptance as a proposed revision. Requests from the consumer unit (and the units
    below it) created while the agreement is active run under its targets (ADR 0012).
    """

    provider = models.ForeignKey(
        "people.Unit", verbose_name=_("providing unit"), on_delete=models.PROTECT, related_name="agreements_provided"
    )
    consumer = models.ForeignKey(
        "people.Unit", verbose_name=_("consuming unit"), on_delete=models.PROTECT, related_name="agreements_consumed"
    )
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=AgreementState.choices, default=AgreementState.DRAFT)
    current = models.ForeignKey(
        "servicedesk.AgreementVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    activated_at = models.DateTimeField(_("active since"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    # The review date the reminder was last sent for, so each review date is announced once.
    reminded_for = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("internal service agreement")
        verbose_name_plural = _("internal service agreements")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(provider=models.F("consumer")),
                name="agreement_between_two_units",
                violation_error_message=_("An agreement is between two different units."),
            ),
            models.UniqueConstraint(
                fields=["provider", "consumer"],
                condition=models.Q(state__in=["draft", "proposed", "active"]),
                name="agreement_one_live_per_pair",
                violation_error_message=_("These two units already have an agreement that is not expired."),
            ),
            models.CheckConstraint(
                condition=~models.Q(state="active") | models.Q(current__isnull=False),
                name="agreement_active_has_terms",
            ),
        ]
        indexes = [
            # Request creation: the consumer's live agreements with the desk's unit.
            models.Index(fields=["provider", "consumer", "state"], name="agreement_pair_idx"),
            models.Index(fields=["consumer", "state"], name="agreement_consumer_idx"),
            models.Index(fields=["state"], name="agreement_state_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class AgreementVersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    SUPERSEDED = "superseded", _("Superseded")
    DECLINED = "declined", _("Declined")


class AgreementVersion(models.Model):
    """One version of an agreement's terms. Never edited once proposed; a revision is a new version."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=AgreementVersionState.choices, default=AgreementVersionState.DRAFT)
    services = models.ManyToManyField("servicedesk.Service", verbose_name=_("services"), related_name="+")
    provider_contact = models.ForeignKey(
        "people.Employee", verbose_name=_("contact at the providing unit"), on_delete=models.PROTECT, related_name="+"
    )
    consumer_contact = models.ForeignKey(
        "people.Employee", verbose_name=_("contact at the consuming unit"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("start date"))
    review_on = models.DateField(_("review date"))
    remind_days = models.PositiveSmallIntegerField(_("remind this many days before the review"), default=14)
    note = models.TextField(_("note"), blank=True)
    reason = models.TextField(_("reason for the revision"), blank=True)
    proposed_by = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    provider_accepted_by = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider_accepted_at = models.DateTimeField(null=True, blank=True)
    consumer_accepted_by = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consumer_accepted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)  # accepted by both, or declined
    created_by = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agreement version")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_unique"),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=models.Q(state__in=["draft", "proposed"]),
                name="agreement_one_pending_version",
                violation_error_message=_("This agreement already has a revision waiting for acceptance."),
            ),
            models.CheckConstraint(
                condition=models.Q(review_on__gt=models.F("starts_on")),
                name="agreement_review_after_start",
                violation_error_message=_("The review date comes after the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} v{self.number}"


class AgreementTarget(models.Model):
    """An agreed target for one covered service and priority; a priority without one keeps the
    public standard (the request still counts for the agreement)."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="targets")
    service = models.ForeignKey("servicedesk.Service", on_delete=models.CASCADE, related_name="+")
    priority = models.CharField(_("priority"), max_length=2)
    first_response_minutes = models.PositiveIntegerField(_("first response target (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))

    class Meta:
        verbose_name = _("agreed target")
        constraints = [
            models.UniqueConstraint(fields=["version", "service", "priority"], name="agreement_target_unique"),
            models.CheckConstraint(
                condition=models.Q(
                    first_response_minutes__gt=0, resolution_minutes__gte=models.F("first_response_minutes")
                ),
                name="agreement_target_sensible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version_id} {self.service_id} {self.priority}"


__all__ = [
    "LIVE_AGREEMENT_STATES",
    "Agreement",
    "AgreementState",
    "AgreementTarget",
    "AgreementVersion",
    "AgreementVersionState",
    "NEGOTIATING_STATES",
    "SETTLED_STATES",
    "Commitment",
    "CommitmentRevision",
    "CommitmentState",
    "Feedback",
    "FollowUp",
    "FollowUpState",
    "NeededBy",
    "NeededByState",
    "Obstacle",
    "ObstacleState",
    "ThankYou",
    "WaitingOn",
]
