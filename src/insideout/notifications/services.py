"""Sending notifications: the in-app inbox always, e-mail when the person prefers it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from insideout.notifications.models import Notification
from insideout.people import facade as people

logger = logging.getLogger(__name__)


@transaction.atomic
def notification_send(
    *,
    recipient_user_id: int,
    kind: str,
    render: Callable[[], tuple[str, str]],
    url: str = "",
    event_id: int | None = None,
) -> Notification | None:
    """Notify one person. ``render`` returns (title, body) and runs in the recipient's language.

    Sending twice for the same event and kind does nothing the second time.
    """
    person = people.person_for_user(user_id=recipient_user_id)
    language = person.language if person else settings.LANGUAGE_CODE
    with translation.override(language):
        title, body = render()
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient_id=recipient_user_id, kind=kind, title=title, body=body, url=url, event_id=event_id
            )
    except IntegrityError:
        return None
    if person is not None and person.is_active and person.preferred_channel == "email" and person.email:
        transaction.on_commit(lambda: _email(notification.pk, person.email))
    return notification


def absolute_url(url: str) -> str:
    """A site path such as ``/requests/IT-7/`` as a link that works from a mail client."""
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def _email(notification_id: int, address: str) -> None:
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return
    try:
        send_mail(
            subject=notification.title,
            message=notification.body + (f"\n\n{absolute_url(notification.url)}" if notification.url else ""),
            from_email=None,
            recipient_list=[address],
        )
    except OSError:
        logger.exception("could not e-mail notification %s", notification_id)
        return
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())


@transaction.atomic
def notification_mark_read(*, user_id: int, notification_ids: list[int] | None = None) -> int:
    """Mark some (or all) of a person's unread notifications read; returns how many changed."""
    unread = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
