from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Event(models.Model):
    """One thing that happened, written in the same transaction as the change (an outbox).

    ``subject_type``/``subject_id`` name what it happened to (``"people.employee"``, ``"42"``);
    ``payload`` carries what handlers and the history need, as JSON.
    """

    type = models.CharField(_("type"), max_length=100)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject_type = models.CharField(_("subject type"), max_length=60)
    subject_id = models.CharField(_("subject id"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    # Set once every subscribed handler has handled it; the sweep retries the rest.
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "occurred_at"], name="event_subject_idx"),
            models.Index(fields=["type", "occurred_at"], name="event_type_idx"),
            models.Index(
                fields=["occurred_at"],
                name="event_undispatched_idx",
                condition=models.Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.subject_type}:{self.subject_id}"


class EventDelivery(models.Model):
    """Remembers that a handler has handled an event, so a redelivery does nothing twice."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    handler = models.CharField(max_length=200)
    handled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="event_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.handler} handled event {self.event_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a write sent with an ``Idempotency-Key`` header, so a retry with the same
    key gets the same answer and changes nothing twice (``insideout.core.idempotency``).

    ``owner`` is a digest of who sent it (their token, or their session's user), so two callers'
    keys never meet; ``fingerprint`` a digest of the method, path and body, so a key reused for a
    different write is refused.
    """

    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("idempotency record")
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_key_unique")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"
