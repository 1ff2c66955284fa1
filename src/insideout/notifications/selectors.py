from __future__ import annotations

from django.db.models import QuerySet

from insideout.notifications.models import Notification


def notification_list_for(*, user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user_id).order_by("-created_at", "-pk")


def notification_unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
