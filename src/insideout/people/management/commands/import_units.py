"""``insideout import_units FILE.csv [--dry-run]``: the HRIS import of the organisation's units."""

from __future__ import annotations

from typing import Any

from insideout.people import imports
from insideout.people.management.commands.import_people import ImportCommand


class Command(ImportCommand):
    help = (
        "Create and update units from an HRIS export, matched by code. Checks the whole file first and "
        "changes nothing if any row has a problem. See docs/people-import.md."
    )

    def run(self, data: bytes, **options: Any) -> imports.ImportResult:
        return imports.units_import(data=data, dry_run=options["dry_run"], progress=self.progress)
