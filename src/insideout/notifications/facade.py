"""Notifications' surface for other contexts and the web layer."""

from __future__ import annotations

from collections.abc import Callable

from insideout.notifications import selectors, services


def unread_count(*, user_id: int) -> int:
    """How many notifications this person has not read yet."""
    return selectors.notification_unread_count(user_id=user_id)


def notify(
    *,
    recipient_user_id: int,
    kind: str,
    render: Callable[[], tuple[str, str]],
    url: str = "",
    event_id: int | None = None,
) -> bool:
    """Notify one person in-app, and by e-mail when they prefer it; ``render`` runs in their language.

    The same event and kind reach a person once, however often a handler runs. Returns whether a
    notification was written.
    """
    return (
        services.notification_send(
            recipient_user_id=recipient_user_id, kind=kind, render=render, url=url, event_id=event_id
        )
        is not None
    )
