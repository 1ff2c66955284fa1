"""Read-only admin views of the ledger (it is changed only through its services) and the values."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from insideout.recognition.models import Account, LedgerTransaction, Value


@admin.register(Value)
class ValueAdmin(admin.ModelAdmin[Value]):
    list_display = ("name", "position", "is_active")
    list_editable = ("position", "is_active")


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(_ReadOnly):
    list_display = ("kind", "owner", "balance", "period")
    list_filter = ("kind",)


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(_ReadOnly):
    list_display = ("pk", "kind", "occurred_at", "actor", "memo")
    list_filter = ("kind",)
