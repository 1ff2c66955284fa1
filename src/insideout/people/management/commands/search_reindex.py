"""Rebuild the people-search words of everyone (after a change to how words are made)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from insideout.people import services
from insideout.people.models import Employee


class Command(BaseCommand):
    help = "Rebuild the words people search finds each person by. Safe to run at any time."

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(Employee.objects.order_by("pk").values_list("pk", flat=True))
        written = 0
        for start in range(0, len(ids), 5000):
            with transaction.atomic():
                written += services.search_tokens_rebuild(employee_ids=ids[start : start + 5000])
            self.stdout.write(f"  people {min(start + 5000, len(ids)):,}/{len(ids):,}")
        self.stdout.write(self.style.SUCCESS(f"Indexed {len(ids):,} people with {written:,} words."))
