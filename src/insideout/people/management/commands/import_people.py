"""``insideout import_people FILE.csv [--dry-run] [--deactivate-missing]``: the HRIS import of people."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insideout.people import imports


class ImportCommand(BaseCommand):
    """Reads the file, reports every problem with its line and column, or applies it (or not, in a dry run)."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file (UTF-8, comma or semicolon separated); - reads standard input")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and tell what would change, without writing"
        )

    def read(self, name: str) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": name, "error": exc.strerror}) from exc

    def run(self, data: bytes, **options: Any) -> imports.ImportResult:
        raise NotImplementedError

    def progress(self, done: int, total: int) -> None:
        if self.verbosity >= 1 and total:
            self.stdout.write(_("  %(done)d of %(total)d changes applied") % {"done": done, "total": total})

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        name = options["file"]
        data = self.read(name)
        if self.verbosity >= 1:
            self.stdout.write(_("Checking %(file)s…") % {"file": name})
        result = self.run(data, **options)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            count = len(result.errors)
            raise CommandError(
                ngettext(
                    "%(count)d problem in %(file)s; nothing was changed.",
                    "%(count)d problems in %(file)s; nothing was changed.",
                    count,
                )
                % {"count": count, "file": name},
                returncode=1,
            )
        if self.verbosity >= 2:
            for change in result.changes:
                self.stdout.write(imports.change_text(change))
        self.stdout.write(self.style.SUCCESS(imports.summary_text(result)))


class Command(ImportCommand):
    help = (
        "Create and update people from an HRIS export, matched by employee id. Checks the whole file "
        "first and changes nothing if any row has a problem. See docs/people-import.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="the file lists everyone: deactivate active people who are not in it (leavers)",
        )
        parser.add_argument(
            "--no-notify",
            action="store_true",
            help="record the changes as history only, without telling managers and leads (first load)",
        )

    def run(self, data: bytes, **options: Any) -> imports.ImportResult:
        return imports.people_import(
            data=data,
            deactivate_missing=options["deactivate_missing"],
            dry_run=options["dry_run"],
            notify=not options["no_notify"],
            progress=self.progress,
        )
