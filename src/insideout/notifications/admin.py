from django.contrib import admin

from insideout.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("created_at", "recipient", "kind", "title", "read_at", "emailed_at")
    list_filter = ("kind",)
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient", "event")
