"""The event log: record events in the caller's transaction, deliver them to handlers after commit.

A context publishes with :func:`event_record` inside its service's transaction. Handlers
subscribe with :func:`handles`; they run later, in a Huey task, each in its own transaction
together with a row that remembers the delivery, so a handler that is delivered twice does its
database work once (at-least-once delivery, idempotent effect).
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from insideout.core.models import Event, EventDelivery

logger = logging.getLogger(__name__)

Handler = Callable[[Event], None]


@dataclass(frozen=True)
class _Subscription:
    name: str
    func: Handler


_subscriptions: dict[str, list[_Subscription]] = defaultdict(list)

# After this many failed deliveries an event is left for an operator (see the admin's event list).
MAX_DELIVERY_ATTEMPTS = 10


def handles(*event_types: str) -> Callable[[Handler], Handler]:
    """Subscribe the decorated function to the given event types.

    The handler's dotted path is its identity in the delivery log, so renaming a handler makes
    it a new one.
    """

    def decorator(func: Handler) -> Handler:
        name = f"{func.__module__}.{func.__qualname__}"
        for event_type in event_types:
            if all(sub.name != name for sub in _subscriptions[event_type]):
                _subscriptions[event_type].append(_Subscription(name=name, func=func))
        return func

    return decorator


def subscribers(event_type: str) -> list[str]:
    return [sub.name for sub in _subscriptions.get(event_type, [])]


def subject_of(instance: models.Model) -> tuple[str, str]:
    return instance._meta.label_lower, str(instance.pk)


def event_record(
    *,
    type: str,  # noqa: A002 - the event's type is its public name
    subject: models.Model,
    actor: Any = None,
    payload: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """Write one event in the current transaction; its handlers run after the commit."""
    subject_type, subject_id = subject_of(subject)
    event = Event.objects.create(
        type=type,
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor if getattr(actor, "pk", None) else None,
        payload=payload or {},
        occurred_at=occurred_at or timezone.now(),
    )
    _deliver_on_commit([event.pk])
    return event


def events_record_bulk(events: Sequence[Event], *, dispatch: bool = True) -> list[Event]:
    """Write many events at once (imports, demo data).

    With ``dispatch=False`` they are history only: marked dispatched, no handler runs.
    """
    now = timezone.now()
    if not dispatch:
        for event in events:
            event.dispatched_at = now
    created = Event.objects.bulk_create(events, batch_size=2000)
    if dispatch:
        _deliver_on_commit([event.pk for event in created if event.pk is not None])
    return created


def _deliver_on_commit(event_ids: list[int]) -> None:
    # Local import: the task module imports this one to call deliver_events.
    from insideout.core.tasks import events_deliver_task

    batch = 500
    for start in range(0, len(event_ids), batch):
        chunk = event_ids[start : start + batch]
        transaction.on_commit(functools.partial(events_deliver_task, chunk))


def _claim(event: Event, handler: str) -> bool:
    """Record the delivery in the handler's transaction; False when another worker already did.

    Its own savepoint, so that only this insert's conflict means "already delivered": an
    IntegrityError raised by the handler itself is a failure like any other, and is retried.
    """
    try:
        with transaction.atomic():
            EventDelivery.objects.create(event=event, handler=handler)
    except IntegrityError:
        return False
    return True


def deliver_events(event_ids: Iterable[int]) -> int:
    """Run every subscribed handler that has not handled these events yet.

    Returns how many handler runs happened. A handler that raises is logged and retried by
    :func:`redeliver_pending`; the other handlers of the same event still run.
    """
    runs = 0
    events = Event.objects.filter(pk__in=list(event_ids), dispatched_at__isnull=True).order_by("pk")
    for event in events:
        done = set(EventDelivery.objects.filter(event=event).values_list("handler", flat=True))
        failed = False
        for sub in _subscriptions.get(event.type, []):
            if sub.name in done:
                continue
            try:
                with transaction.atomic():
                    if not _claim(event, sub.name):
                        # Another worker delivered it meanwhile; its effect is already committed.
                        continue
                    sub.func(event)
                runs += 1
            except Exception:
                failed = True
                logger.exception("handler %s failed on event %s (%s)", sub.name, event.pk, event.type)
        update: dict[str, Any] = {"delivery_attempts": models.F("delivery_attempts") + 1}
        if not failed:
            update["dispatched_at"] = timezone.now()
        Event.objects.filter(pk=event.pk).update(**update)
    return runs


def redeliver_pending(*, older_than_seconds: int = 60, batch_size: int = 500) -> int:
    """Deliver events whose after-commit task never ran or failed (crash, restart, handler error)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Event.objects.filter(
            dispatched_at__isnull=True,
            occurred_at__lte=cutoff,
            delivery_attempts__lt=MAX_DELIVERY_ATTEMPTS,
        )
        .order_by("occurred_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    return deliver_events(ids) if ids else 0
