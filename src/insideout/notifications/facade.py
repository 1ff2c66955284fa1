"""Notifications' surface for other contexts and the web layer."""

from __future__ import annotations

from insideout.notifications import selectors


def unread_count(*, user_id: int) -> int:
    """How many notifications this person has not read yet."""
    return selectors.notification_unread_count(user_id=user_id)
