from django.contrib import admin

from insideout.core.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    list_display = ("occurred_at", "type", "subject_type", "subject_id", "actor", "dispatched_at")
    list_filter = ("type", "subject_type")
    search_fields = ("type", "subject_id")
    date_hierarchy = "occurred_at"
    list_select_related = ("actor",)
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
