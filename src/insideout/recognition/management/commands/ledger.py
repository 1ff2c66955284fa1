"""``insideout ledger verify``: recompute every points balance from the journal and report each mismatch."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from insideout.recognition import ledger


class Command(BaseCommand):
    help = "Check the points ledger: every balance against its entries, every transaction against zero."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = sub.add_parser("verify", help="recompute every balance from the journal and report mismatches")
        verify.add_argument("--chunk", type=int, default=50_000, help="accounts read per step (default 50,000)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "verify":
            raise CommandError(f"unknown action {options['action']!r}")
        chunk = options["chunk"]
        if chunk < 1:
            raise CommandError("--chunk must be at least 1")
        started = time.monotonic()
        self.stdout.write("Verifying the points ledger …")
        result = ledger.ledger_verify(chunk=chunk)
        took = time.monotonic() - started
        self.stdout.write(
            f"{result.accounts:,} accounts, {result.entries:,} entries, {result.transactions:,} transactions "
            f"checked in {took:.1f} s."
        )
        for mismatch in result.mismatches[:50]:
            self.stdout.write(
                self.style.ERROR(
                    f"account {mismatch.account_id} ({mismatch.kind}, person {mismatch.owner_id or '-'}): "
                    f"stored {mismatch.stored}, journal says {mismatch.computed}"
                )
            )
        for transaction_id, total in result.unbalanced[:50]:
            self.stdout.write(self.style.ERROR(f"transaction {transaction_id}: entries sum to {total}, not 0"))
        for account_id in result.negative[:50]:
            self.stdout.write(self.style.ERROR(f"account {account_id} is below zero"))
        if not result.ok:
            raise CommandError(
                f"the ledger does not reconcile: {len(result.mismatches)} balance mismatch(es), "
                f"{len(result.unbalanced)} unbalanced transaction(s), {len(result.negative)} negative balance(s)"
            )
        self.stdout.write(self.style.SUCCESS("The ledger reconciles: every balance equals its entries."))
