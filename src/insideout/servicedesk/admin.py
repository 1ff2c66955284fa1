"""Read-only admin views of the service desk, for operators looking into a request or a clock.

Every change goes through the unit admin's pages or the API, which run the services (and so the
events and the clocks); the admin never writes these tables.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from insideout.servicedesk.models import CalendarVersion, Desk, Request, RequestClock, ServiceStandard


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Desk)
class DeskAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "unit", "next_number", "auto_close_days")
    list_select_related = ("unit",)


@admin.register(CalendarVersion)
class CalendarVersionAdmin(ReadOnlyAdmin):
    list_display = ("desk", "version", "time_zone", "country", "subdivision", "created_at")
    list_filter = ("desk",)


@admin.register(ServiceStandard)
class ServiceStandardAdmin(ReadOnlyAdmin):
    list_display = ("request_type", "priority", "version", "is_current", "first_response_minutes", "resolution_minutes")
    list_select_related = ("request_type",)
    list_filter = ("is_current", "priority")


class ClockInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RequestClock
    extra = 0
    can_delete = False
    fields = ("metric", "state", "running", "due_at", "at_risk_at", "met_at", "breached_at", "standard", "calendar")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Request)
class RequestAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "subject", "status", "priority", "sla_flag", "next_due_at", "created_at")
    list_select_related = ("desk",)
    list_filter = ("status", "priority", "sla_flag", "desk")
    search_fields = ("subject",)
    show_full_result_count = False  # no COUNT(*) over a million rows on every page
    raw_id_fields = ("requester", "on_behalf_of", "assignee", "request_type")
    inlines = [ClockInline]
