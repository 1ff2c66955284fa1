"""The service desk's state: desks, calendars, catalogs, standards, requests and their clocks.

Rules live in ``services.py``; this module holds state and the invariants the database can enforce.
Calendars and standards are versioned: a row is never edited once a request may run under it
(docs/adr/0008-service-clocks-from-history.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insideout.core.models import BaseModel


class Priority(models.TextChoices):
    P1 = "P1", _("P1 — critical")
    P2 = "P2", _("P2 — high")
    P3 = "P3", _("P3 — normal")
    P4 = "P4", _("P4 — low")


# What each priority means, in words a requester can pick from.
PRIORITY_MEANINGS = {
    Priority.P1: _("Work has stopped for many people, or money or safety is at stake."),
    Priority.P2: _("Work has stopped for one person or a team, and there is no workaround."),
    Priority.P3: _("Something is harder than it should be, or a normal request with a workaround."),
    Priority.P4: _("A question, an idea or a change that can wait."),
}


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_REQUESTER = "waiting_on_requester", _("Waiting on requester")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING_ON_REQUESTER)


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class ClockStateChoice(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")


class SlaFlag(models.TextChoices):
    """The request's worst running clock, kept by the services and the sweep for the queues."""

    NONE = "", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")


class Assignment(models.TextChoices):
    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least open work")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    DATE = "date", _("Date")
    NUMBER = "number", _("Number")
    PERSON = "person", _("Person")
    FILE = "file", _("File")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    UNITS = "units", _("Members of chosen units")


class Desk(BaseModel):
    """A service-providing unit's service desk: request numbers, calendar and desk-wide settings."""

    unit = models.OneToOneField("people.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="desk")
    prefix = models.CharField(
        _("request number prefix"),
        max_length=12,
        unique=True,
        help_text=_("Letters before each request's number, e.g. IT for IT-1042."),
    )
    next_number = models.PositiveIntegerField(default=1, editable=False)
    calendar = models.ForeignKey(
        "servicedesk.CalendarVersion",
        verbose_name=_("current calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    auto_close_days = models.PositiveSmallIntegerField(
        _("close resolved requests after (business days)"),
        default=5,
        help_text=_("A resolved request closes by itself after this many business days without a reply."),
    )

    class Meta:
        verbose_name = _("service desk")
        verbose_name_plural = _("service desks")

    def __str__(self) -> str:
        return self.prefix


class CalendarVersion(models.Model):
    """One immutable version of a desk's business calendar (see ``insideout.calendars``)."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="calendar_versions")
    version = models.PositiveIntegerField()
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # {"mon": [["09:00", "17:00"]], ...}; a missing day is closed.
    week = models.JSONField(_("opening hours"), default=dict)
    country = models.CharField(_("country"), max_length=2, blank=True)
    subdivision = models.CharField(_("subdivision"), max_length=10, blank=True)
    holidays = models.JSONField(_("extra holidays"), default=list, blank=True)  # ["2026-12-24", ...]
    closures = models.JSONField(_("closures"), default=list, blank=True)  # [["<iso start>", "<iso end>"], ...]
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("calendar version")
        constraints = [models.UniqueConstraint(fields=["desk", "version"], name="calendar_version_unique")]

    def __str__(self) -> str:
        return f"{self.desk_id} v{self.version}"


class Service(BaseModel):
    desk = models.ForeignKey(Desk, verbose_name=_("desk"), on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        "people.Employee",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_services",
    )
    audience = models.CharField(_("who may request"), max_length=20, choices=Audience.choices, default="everyone")
    audience_units = models.ManyToManyField(
        "people.Unit",
        verbose_name=_("units that may request"),
        blank=True,
        related_name="+",
        help_text=_("Members of these units and of the units below them."),
    )
    is_active = models.BooleanField(_("published"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("service")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["desk", "name"], name="service_name_unique_per_desk")]

    def __str__(self) -> str:
        return self.name


class RequestType(BaseModel):
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="request_types"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    default_priority = models.CharField(
        _("default priority"), max_length=2, choices=Priority.choices, default=Priority.P3
    )
    assignment = models.CharField(_("assignment"), max_length=20, choices=Assignment.choices, default=Assignment.MANUAL)
    # Round robin's cursor: the agent who got the last request.
    last_assignee = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    is_active = models.BooleanField(_("published"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    # The update standard: while a request is open, the desk gives a public update at least this
    # often, counted on the desk's business calendar (None: no update standard).
    update_every_minutes = models.PositiveIntegerField(
        _("a public update at least every (business minutes)"),
        null=True,
        blank=True,
        help_text=_("While a request is open; counted on the desk's business calendar. Empty: no update standard."),
    )

    class Meta:
        verbose_name = _("request type")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="request_type_name_unique")]

    def __str__(self) -> str:
        return self.name


class RequestField(models.Model):
    """One field of a request type's form."""

    request_type = models.ForeignKey(RequestType, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(_("key"), max_length=50, help_text=_("Name used in the API, e.g. laptop_model."))
    label = models.CharField(_("label"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("request field")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["request_type", "key"], name="request_field_key_unique")]

    def __str__(self) -> str:
        return self.key


class ServiceStandard(models.Model):
    """One immutable version of the targets for a request type and priority."""

    request_type = models.ForeignKey(RequestType, on_delete=models.CASCADE, related_name="standards")
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    first_response_minutes = models.PositiveIntegerField(_("first response target (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))
    business_hours = models.BooleanField(
        _("count on the unit's business calendar"),
        default=True,
        help_text=_("Off: the clocks run around the clock (24/7)."),
    )
    at_risk_percent = models.PositiveSmallIntegerField(
        _("at risk when this share of the target is left (%)"), default=25
    )
    pausing_statuses = models.JSONField(_("statuses that pause the clocks"), default=list)
    obstacles_pause_resolution = models.BooleanField(
        _("an open obstacle pauses the resolution clock"),
        default=False,
        help_text=_("Off: the internal customer still waits, so the clock runs on."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An agreed standard: the public one it is ``based_on`` with an agreement's targets. Made when a
    # request first runs under them, never current (``is_current`` marks the public standards).
    agreement_target = models.ForeignKey(
        "servicedesk.AgreementTarget", null=True, blank=True, on_delete=models.PROTECT, related_name="standards"
    )
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("service standard")
        constraints = [
            models.UniqueConstraint(
                fields=["request_type", "priority", "version"],
                condition=models.Q(agreement_target__isnull=True),
                name="standard_version_unique",
            ),
            models.UniqueConstraint(
                fields=["agreement_target", "request_type", "based_on"],
                condition=models.Q(agreement_target__isnull=False),
                name="standard_agreed_once",
            ),
            models.CheckConstraint(
                condition=models.Q(agreement_target__isnull=True) | models.Q(is_current=False),
                name="standard_agreed_never_current",
            ),
            models.UniqueConstraint(
                fields=["request_type", "priority"], condition=models.Q(is_current=True), name="standard_one_current"
            ),
            models.CheckConstraint(condition=models.Q(at_risk_percent__lte=100), name="standard_at_risk_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.request_type_id} {self.priority} v{self.version}"


class Request(models.Model):
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="requests")
    number = models.PositiveIntegerField()
    request_type = models.ForeignKey(RequestType, on_delete=models.PROTECT, related_name="requests")
    requester = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="requests_made")
    on_behalf_of = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="requests_on_behalf"
    )
    assignee = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="requests_assigned"
    )
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P3)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    description_html = models.TextField(blank=True, editable=False)
    field_values = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When a resolved request closes by itself; cleared by a reply or a reopen.
    auto_close_at = models.DateTimeField(null=True, blank=True)
    # The internal service agreement the request runs under, decided when it is made (None: the
    # public standards).
    agreement = models.ForeignKey(
        "servicedesk.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    # The earliest deadline among the running clocks (None when none runs): the queues' sort key.
    next_due_at = models.DateTimeField(null=True, blank=True)
    sla_flag = models.CharField(max_length=10, choices=SlaFlag.choices, default="", blank=True)
    # Keeping people informed: the last public update of the desk, when the next one is due under
    # the request type's update standard (None when there is none or the request is not open), and
    # the sweep's next look at it: the nudge to the assignee (75 % of the interval), then the due
    # time itself (the lead hears of the silence), then None until the next update.
    last_update_at = models.DateTimeField(null=True, blank=True)
    update_due_at = models.DateTimeField(null=True, blank=True)
    update_alarm_at = models.DateTimeField(null=True, blank=True)
    # 1 while the status is open, else 0; computed by the database. An equality the queue index can
    # lead with, so the open queues are walked in due order: the three statuses of an IN cannot be,
    # SQLite cannot use a partial index for bound parameters, and it cannot use an index for a bare
    # boolean column (Django's filter on a BooleanField), hence a small integer compared with 1.
    is_open = models.GeneratedField(
        expression=models.Case(models.When(status__in=OPEN_STATUSES, then=1), default=0),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("request")
        constraints = [models.UniqueConstraint(fields=["desk", "number"], name="request_number_unique")]
        indexes = [
            # A status's requests in due order, and (covering) every queue's count and the busy agents.
            models.Index(
                fields=["desk", "status", "next_due_at", "assignee", "sla_flag"], name="request_desk_queue_idx"
            ),
            # The open queues in due order. SQLite never reads a generated column from an index alone,
            # so the counts above go by status.
            models.Index(fields=["desk", "is_open", "next_due_at", "created_at", "id"], name="request_open_queue_idx"),
            # The same order for the queues that filter on a column the walk above would have to read
            # from each table row: the at-risk and breached queues (393 at-risk requests among 21,000
            # open took 12 ms to find), and the unassigned queue or one agent's requests in a desk.
            models.Index(
                fields=["desk", "sla_flag", "is_open", "next_due_at", "created_at", "id"], name="request_flag_queue_idx"
            ),
            models.Index(
                fields=["desk", "assignee", "is_open", "next_due_at", "created_at", "id"],
                name="request_desk_assignee_idx",
            ),
            models.Index(fields=["assignee", "status", "next_due_at"], name="request_assignee_queue_idx"),
            models.Index(fields=["requester", "-created_at"], name="request_requester_idx"),
            # An agreement's adherence: its requests over a period.
            models.Index(
                fields=["agreement", "created_at"],
                name="request_agreement_idx",
                condition=models.Q(agreement__isnull=False),
            ),
            models.Index(
                fields=["auto_close_at"],
                name="request_auto_close_idx",
                condition=models.Q(status="resolved", auto_close_at__isnull=False),
            ),
            # The "silent" queue and its count: a desk's requests whose public update is overdue.
            # Partial on IS NOT NULL, which SQLite sees implied by any comparison of the column.
            models.Index(
                fields=["desk", "update_due_at"],
                name="request_update_due_idx",
                condition=models.Q(update_due_at__isnull=False),
            ),
            # The sweep's nudges and silences: only requests it has to look at again.
            models.Index(
                fields=["update_alarm_at"],
                name="request_update_alarm_idx",
                condition=models.Q(update_alarm_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        # The desk's prefix is needed; selectors join it.
        return f"{self.desk.prefix}-{self.number}"


class RequestClock(models.Model):
    """The stored projection of one clock of one request, rewritten from the history's replay."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="clocks")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    standard = models.ForeignKey(ServiceStandard, on_delete=models.PROTECT, related_name="+")
    # The calendar version counted on; None for a 24/7 standard.
    calendar = models.ForeignKey(CalendarVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_seconds = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=ClockStateChoice.choices)
    running = models.BooleanField(default=False)  # counting now (also while breached and still open)
    elapsed_seconds = models.FloatField(default=0.0)  # as of computed_at
    computed_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    at_risk_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    at_risk_notified_at = models.DateTimeField(null=True, blank=True)
    breach_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "metric"], name="request_clock_unique")]
        indexes = [
            # The sweep's two reads touch only clocks that may need a warning.
            models.Index(
                fields=["at_risk_at"],
                name="clock_at_risk_sweep_idx",
                condition=models.Q(running=True, at_risk_notified_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="clock_breach_sweep_idx",
                condition=models.Q(running=True, breach_notified_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.metric} {self.state}"


class Comment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    body_html = models.TextField(editable=False)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["request", "created_at"], name="comment_request_idx")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.request_id}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.request_id}/{timezone.now():%Y%m%d%H%M%S%f}-{filename}"


class Attachment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["request", "created_at"], name="attachment_request_idx")]

    def __str__(self) -> str:
        return self.name


class Watcher(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="watchers")
    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="watching")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "employee"], name="watcher_unique")]
        indexes = [models.Index(fields=["employee"], name="watcher_employee_idx")]

    def __str__(self) -> str:
        return f"{self.employee_id} watches {self.request_id}"


# The cooperation layer's models live in their own sub-package but belong to this app.
from insideout.servicedesk.cooperation.models import *  # noqa: E402, F403
