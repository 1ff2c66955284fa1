"""The recognition part of ``make bench``: a year of recognitions on a big ledger, and its targets.

``load`` fills a database that already holds a demo organisation (``insideout demo``) with twelve
months of recognitions and the ledger they post, in raw bulk inserts (``bench_rows``): each month,
givers' allowances expire and are refilled as ``ledger.monthly_refresh`` would do it, recognitions
to one to three colleagues move points from the giver's allowance to the recipients' earned
points, and now and then a recipient redeems a reward (the points held, then settled). Balances
are kept in memory as the entries are written and stored once at the end, so the ledger is valid:
every transaction sums to zero, no balance but the issuance's goes below zero, and ``insideout
ledger verify`` reconciles. It stops when the journal holds ``--entries`` entries (the demo's
own included). It also makes what the measurements need: write tokens for a few givers and a few
redeemers (who get their points by a grant), and a reward without stock or limits.

``run_part`` (called by ``tools/bench.py``) loads a fresh database, measures through gunicorn on
127.0.0.1, then times ``insideout ledger verify``. The targets come from issue 5: the wall page
and ``GET /api/v1/me/points`` p95 ≤ 50 ms, a give (``POST /api/v1/recognitions``) and a redemption
(``POST /api/v1/redemptions``) p95 ≤ 100 ms, ``ledger verify`` over every entry ≤ 30 s.

Usage (with ``INSIDEOUT_DATA_DIR`` / ``INSIDEOUT_DATABASE_URL`` naming the database)::

    .venv/bin/python tools/bench_recognition.py load --entries 5000000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

MONTHS = 12
GIVERS = 10  # bench users who give over the API (each has a whole month's allowance)
REDEEMERS = 10  # bench users who redeem over the API (each gets points by a grant)
GRANT = 100_000
REWARD_COST = 10
PUBLIC, TEAM, PRIVATE = "public", "team", "private"
VISIBILITIES = ((PUBLIC, 0.85), (TEAM, 0.1), (PRIVATE, 0.05))
RECIPIENTS = ((1, 0.8), (2, 0.14), (3, 0.06))
POINTS = (0, 5, 10, 10, 15, 20, 25)
REDEEM_SHARE = 0.03  # of the recognitions: a recipient redeems afterwards
MESSAGES = (
    "Thank you for staying late to get the release over the line; the customers noticed.",
    "You explained the new expense rules so clearly that my whole team finally understood them.",
    "Thanks for picking up my tickets while I was off sick. I came back to nothing on fire.",
    "Your checklist for onboarding saved us hours this week. Brilliant work.",
    "You answered the same question for the fifth time with the same patience. Thank you!",
    "The way you handled that difficult call was a lesson for all of us.",
    "Thanks for fixing the printer queue before the board meeting; you are a hero.",
    "You made the move to the new office painless. Every box arrived where it belonged.",
    "Great review of my proposal: honest, kind and exactly what it needed.",
    "Thank you for sharing the dashboard; finance can now see the numbers without asking.",
    "You noticed the contract error before it went out. That saved us a lot of trouble.",
    "Thanks for running the workshop; people are still talking about it.",
)


def _setup() -> None:
    import django

    django.setup()


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in choices], weights=[weight for _, weight in choices])[0]


def _month_starts(now: datetime, count: int) -> list[datetime]:
    from django.utils import timezone

    local = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    starts = [local]
    for _ in range(count - 1):
        starts.append((starts[-1] - timedelta(days=1)).replace(day=1))
    return list(reversed(starts))


class Ledger:
    """Accounts and their balances in memory, and the journal rows to write."""

    def __init__(self, tables: dict[str, Any], ids: dict[str, int], created: datetime) -> None:
        from insideout.recognition.models import Account

        self.tables = tables
        self.ids = ids
        self.created = created
        self.accounts: dict[tuple[str, int | None], list[Any]] = {}  # (kind, owner): [id, balance, period, new]
        for pk, kind, owner, balance, period in Account.objects.values_list(
            "pk", "kind", "owner_id", "balance", "period"
        ):
            self.accounts[(kind, owner)] = [pk, int(balance), period, False]
        self.touched: set[tuple[str, int | None]] = set()
        self.entries = 0
        self.transactions = 0
        self.buffers: dict[str, list[tuple[Any, ...]]] = {name: [] for name in tables}
        self.counts = dict.fromkeys(tables, 0)

    def account(self, kind: str, owner: int | None = None) -> list[Any]:
        found = self.accounts.get((kind, owner))
        if found is None:
            found = [self.ids["account"], 0, "", True]
            self.ids["account"] += 1
            self.accounts[(kind, owner)] = found
        return found

    def post(self, kind: str, at: datetime, movements: list[tuple[list[Any], int]], **extra: Any) -> int:
        for account, amount in movements:
            account[1] += amount
        if sum(amount for _account, amount in movements) != 0:
            raise AssertionError("unbalanced")
        pk = self.ids["transaction"]
        self.ids["transaction"] += 1
        self.add(
            "transaction",
            [pk, kind, at, extra.get("actor"), extra.get("memo", ""), *extra.get("subject", ("", ""))],
        )
        for account, amount in sorted(movements, key=lambda pair: pair[0][0]):
            self.add("entry", [self.ids["entry"], pk, account[0], amount])
            self.ids["entry"] += 1
            self.entries += 1
        self.transactions += 1
        return pk

    def add(self, name: str, values: list[Any]) -> None:
        self.buffers[name].append(self.tables[name].row(values))

    def flush(self, force: bool = False) -> None:
        # Parents first: the foreign keys are checked at the commit, but the order keeps it obvious.
        for name in ("transaction", "entry", "recognition", "recipient", "values", "redemption"):
            if self.buffers[name] and (force or len(self.buffers[name]) >= 50_000):
                self.counts[name] += self.tables[name].insert(self.buffers[name])
                self.buffers[name].clear()

    def store_accounts(self) -> None:
        """New accounts in one insert, the changed ones in one update each."""
        from bench_rows import Table
        from django.db import connection

        from insideout.recognition.models import Account

        table = Table(Account, ["id", "kind", "owner_id", "balance", "period", "created_at"])
        new = [
            table.row([account[0], kind, owner, account[1], account[2], self.created])
            for (kind, owner), account in self.accounts.items()
            if account[3]
        ]
        self.counts["account"] = table.insert(new)
        changed = [(account[1], account[2], account[0]) for account in self.accounts.values() if not account[3]]
        quoted = connection.ops.quote_name(Account._meta.db_table)
        marker = "%s"
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quoted} SET balance = {marker}, period = {marker} WHERE id = {marker}",  # noqa: S608
                changed,
            )


def load(entries: int, seed: int) -> dict[str, Any]:
    _setup()
    from bench_rows import Table, analyze, next_id, reset_sequences
    from django.db import transaction
    from django.db.models import Count

    from insideout.people.models import Employee, User
    from insideout.people.services import api_token_create
    from insideout.recognition import catalog, selectors
    from insideout.recognition.models import (
        Account,
        AccountKind,
        Entry,
        LedgerTransaction,
        Recognition,
        RecognitionRecipient,
        Redemption,
        Reward,
        Value,
    )

    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 - made-up data, not security
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    values = list(Value.objects.filter(is_active=True).values_list("pk", flat=True))
    if not values:
        raise SystemExit("No values: load the demo first (insideout demo).")
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        raise SystemExit("No superuser: load the demo first (insideout demo).")
    people = list(Employee.objects.filter(is_active=True).order_by("pk").values_list("pk", "user_id"))
    user_of = dict(people)
    # People the demo already gave a history are left to it: the loader's givers start afresh.
    demo_givers = set(Account.objects.filter(kind=AccountKind.ALLOWANCE).values_list("owner_id", flat=True))
    pool = [pk for pk, _user in people]
    rng.shuffle(pool)
    bench_givers = [pk for pk in pool if pk not in demo_givers][:GIVERS]
    bench_redeemers = [pk for pk in pool if pk not in demo_givers and pk not in bench_givers][:REDEEMERS]
    reserved = set(bench_givers) | set(bench_redeemers)
    givers = [pk for pk in pool if pk not in demo_givers and pk not in reserved]
    recipients = [pk for pk in pool if pk not in reserved]

    tables = {
        "transaction": Table(
            LedgerTransaction, ["id", "kind", "occurred_at", "actor_id", "memo", "subject_type", "subject_id"]
        ),
        "entry": Table(Entry, ["id", "transaction_id", "account_id", "amount"]),
        "recognition": Table(
            Recognition,
            ["id", "giver_id", "message", "visibility", "points_total", "created_at", "updated_at"],
        ),
        "recipient": Table(RecognitionRecipient, ["id", "recognition_id", "employee_id", "points", "created_at"]),
        "values": Table(Recognition.values.through, ["id", "recognition_id", "value_id"]),
        "redemption": Table(
            Redemption,
            [
                "id",
                "reward_id",
                "employee_id",
                "quantity",
                "points",
                "value_cents",
                "currency",
                "state",
                "hold_id",
                "settlement_id",
                "decided_by_id",
                "decided_at",
                "note",
                "created_at",
                "updated_at",
            ],
        ),  # fmt: skip
    }
    ids = {
        "transaction": next_id(LedgerTransaction),
        "entry": next_id(Entry),
        "account": next_id(Account),
        "recognition": next_id(Recognition),
        "recipient": next_id(RecognitionRecipient),
        "values": next_id(Recognition.values.through),
        "redemption": next_id(Redemption),
    }
    already = Entry.objects.count()
    allowance = selectors.monthly_allowance()
    months = _month_starts(now, MONTHS)
    with transaction.atomic():
        reward = catalog.reward_create(
            actor=admin,
            data=catalog.RewardInput(
                name="Benchmark mug", points_cost=REWARD_COST, description="A mug for the benchmark's redemptions."
            ),
        )
        rewards = list(
            Reward.objects.filter(is_active=True, stock__isnull=True, provider="").values_list("pk", "points_cost")
        )
        book = Ledger(tables, ids, _naive(now))
        issuance = book.account(AccountKind.ISSUANCE)
        expired = book.account(AccountKind.EXPIRED)
        held = book.account(AccountKind.HELD)
        redeemed = book.account(AccountKind.REDEEMED)
        admin_id = admin.pk
        for redeemer in bench_redeemers:
            book.post(
                "grant",
                _naive(now),
                [(issuance, -GRANT), (book.account(AccountKind.EARNED, redeemer), GRANT)],
                memo="benchmark grant",
            )
        target = max(0, entries - already - book.entries)
        recognitions = redemptions = 0
        for index, month_start in enumerate(months):
            month_end = months[index + 1] if index + 1 < len(months) else now
            span = (month_end - month_start).total_seconds()
            period = selectors.period_of(month_start)
            goal = target * (index + 1) // len(months)
            while book.entries < goal:
                giver = rng.choice(givers)
                account = book.account(AccountKind.ALLOWANCE, giver)
                at = _naive(month_start + timedelta(seconds=rng.random() * span))
                if account[2] != period:  # the month's first give: expire the rest, then refill
                    if account[1] > 0:
                        book.post(
                            "expiry", at, [(account, -account[1]), (expired, account[1])], memo="allowance unused"
                        )
                    book.post("refill", at, [(issuance, -allowance), (account, allowance)], memo=f"allowance {period}")
                    account[2] = period
                count = _weighted(rng, RECIPIENTS)
                chosen: list[int] = []
                while len(chosen) < count:
                    person = rng.choice(recipients)
                    if person != giver and person not in chosen:
                        chosen.append(person)
                each = rng.choice(POINTS)
                if each * count > account[1]:
                    each = 0
                pk = book.ids["recognition"]
                book.ids["recognition"] += 1
                recognitions += 1
                visibility = _weighted(rng, VISIBILITIES)
                book.add("recognition", [pk, giver, rng.choice(MESSAGES), visibility, each * count, at, at])
                for person in chosen:
                    book.add("recipient", [book.ids["recipient"], pk, person, each, at])
                    book.ids["recipient"] += 1
                for value in rng.sample(values, k=min(len(values), rng.choice((1, 1, 2)))):
                    book.add("values", [book.ids["values"], pk, value])
                    book.ids["values"] += 1
                if each:
                    book.post(
                        "give",
                        at,
                        [(account, -each * count)] + [(book.account(AccountKind.EARNED, p), each) for p in chosen],
                        actor=user_of[giver],
                        subject=("recognition.recognition", str(pk)),
                    )
                if rng.random() < REDEEM_SHARE:
                    person = chosen[0]
                    earned = book.account(AccountKind.EARNED, person)
                    reward_id, cost = rng.choice(rewards)
                    if earned[1] >= cost:
                        redemption = book.ids["redemption"]
                        book.ids["redemption"] += 1
                        later = at + timedelta(hours=rng.randint(1, 48))
                        subject = ("recognition.redemption", str(redemption))
                        hold = book.post(
                            "hold", at, [(earned, -cost), (held, cost)], actor=user_of[person], subject=subject
                        )
                        settle = book.post(
                            "settle", later, [(held, -cost), (redeemed, cost)], actor=admin_id, subject=subject
                        )
                        book.add(
                            "redemption",
                            [redemption, reward_id, person, 1, cost, cost * 10, "EUR", "issued", hold, settle,
                             admin_id, later, "", at, later],
                        )  # fmt: skip
                        redemptions += 1
                if len(book.buffers["entry"]) >= 100_000:
                    book.flush(force=True)
            print(
                f"[load {time.strftime('%H:%M:%S')}] {period}: {book.entries + already:,} entries, "
                f"{recognitions:,} recognitions",
                file=sys.stderr,
                flush=True,
            )
        book.flush(force=True)
        book.store_accounts()
        reset_sequences(LedgerTransaction, Entry, Account, Recognition, RecognitionRecipient, Redemption)
        reset_sequences(Recognition.values.through)
        tokens = {
            "givers": [
                api_token_create(user=User.objects.get(pk=user_of[pk]), name="benchmark", scope="write")[1]
                for pk in bench_givers
            ],
            "redeemers": [
                api_token_create(user=User.objects.get(pk=user_of[pk]), name="benchmark", scope="write")[1]
                for pk in bench_redeemers
            ],
        }
    analyze()
    totals = {
        "entries": Entry.objects.count(),
        "transactions": LedgerTransaction.objects.count(),
        "accounts": Account.objects.count(),
        "recognitions": Recognition.objects.count(),
        "public": Recognition.objects.filter(visibility=PUBLIC).count(),
        "redemptions": Redemption.objects.count(),
        "employees": Employee.objects.filter(is_active=True).count(),
    }
    busiest = (
        RecognitionRecipient.objects.values("employee_id").annotate(n=Count("pk")).order_by("-n").values_list("n")[:1]
    )
    return {
        "seconds": round(time.monotonic() - started, 1),
        "rows": book.counts,
        "totals": totals,
        "most_received": int(busiest[0][0]) if busiest else 0,
        "tokens": tokens,
        "recipients": rng.sample(recipients, k=min(len(recipients), 2000)),
        "values": values,
        "reward": reward.pk,
    }


# --- the part in make bench --------------------------------------------------------------------------


def _verify(env: dict[str, str]) -> tuple[float, str]:
    import bench

    seconds, _peak, output = bench.run_measured([*bench.INSIDEOUT, "ledger", "verify"], env, timeout=1800)
    summary = next((line for line in output.splitlines() if "checked in" in line), output.strip()[-200:])
    return seconds, summary


def run_part(options: argparse.Namespace, engine: str) -> Any:
    """Load a fresh database on ``engine`` and measure the recognition targets; a ``bench_desks.Section``."""
    import bench
    import bench_desks
    from bench import INSIDEOUT, WORK, Call, Figure, insideout_env, log, row_figure, run

    section = bench_desks.Section(f"Recognition targets on {engine}")
    data_dir = Path(tempfile.mkdtemp(prefix=f"recognition-{engine.lower()}-", dir=WORK))
    try:
        with bench_desks.postgres() if engine == "PostgreSQL" else contextlib.nullcontext("") as url:
            env = insideout_env(data_dir, url)
            run([*INSIDEOUT, "migrate", "--no-input", "-v", "0"], env, timeout=600)
            log(f"recognition: demo organisation of {options.recognition_employees:,} people")
            demo_seconds, _peak, _out = bench.run_measured(
                [*INSIDEOUT, "demo", "--employees", str(options.recognition_employees), "--requests", "0"],
                env,
                timeout=1800,
            )
            log(f"recognition: demo in {demo_seconds:.0f} s; loading {options.recognition_entries:,} ledger entries")
            seconds, peak_mb, output = bench.run_measured(
                [sys.executable, str(Path(__file__)), "load", "--entries", str(options.recognition_entries)],
                env,
                timeout=7200,
            )
            info: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
            totals = info["totals"]
            log(f"recognition: loaded in {seconds:.0f} s (peak {peak_mb:.0f} MB): {totals}")
            section.figures.append(
                Figure(
                    f"data load, {totals['entries']:,} ledger entries",
                    seconds,
                    "s",
                    1800.0,
                    f"{totals['employees']:,} people, {totals['transactions']:,} transactions, "
                    f"{totals['accounts']:,} accounts, {totals['recognitions']:,} recognitions "
                    f"({totals['public']:,} public), {totals['redemptions']:,} redemptions; peak {peak_mb:.0f} MB; "
                    f"after a {demo_seconds:.0f} s demo",
                )
            )
            run([*INSIDEOUT, "collectstatic", "--no-input", "-v", "0"], env, timeout=300)
            count = options.requests
            rng = random.Random(17)  # noqa: S311 - spreads the calls, not security
            givers, redeemers = info["tokens"]["givers"], info["tokens"]["redeemers"]

            def bearer(token: str) -> dict[str, str]:
                return {"Authorization": f"Bearer {token}", "Accept": "application/json"}

            def give(index: int) -> list[Call]:
                body = {
                    "to": [rng.choice(info["recipients"])],
                    "message": f"Thank you for the help with case {index}.",
                    "values": [rng.choice(info["values"])],
                    "points": 1,
                }
                headers = bearer(givers[index % len(givers)]) | {"Content-Type": "application/json"}
                return [Call("/api/v1/recognitions", "POST", json.dumps(body), headers, (201,))]

            def redeem(index: int) -> list[Call]:
                headers = bearer(redeemers[index % len(redeemers)]) | {"Content-Type": "application/json"}
                body = json.dumps({"reward": info["reward"]})
                return [Call("/api/v1/redemptions", "POST", body, headers, (201,))]

            everyone = givers + redeemers
            plans: list[tuple[str, list[Any], str, float]] = [
                ("GET /recognition/ (the wall, signed in)", [f"/recognition/?page={1 + i % 5}" for i in range(count)],
                 "page", 50.0),
                ("GET /api/v1/me/points", [[Call("/api/v1/me/points", headers=bearer(everyone[i % len(everyone)]))]
                                           for i in range(count)], "api", 50.0),
                ("POST /api/v1/recognitions (give, 1 point)", [give(i) for i in range(count)], "api", 100.0),
                ("POST /api/v1/redemptions (redeem)", [redeem(i) for i in range(count)], "api", 100.0),
            ]  # fmt: skip
            port = bench.free_port()
            with bench.gunicorn(env, port, data_dir / "gunicorn.log"):
                page = {"Cookie": bench.sign_in(port, bench.USERNAME), "Accept": "text/html"}
                for name, plan, kind, target in plans:
                    headers = page if kind == "page" else {}
                    warm = plan[:4] if kind == "page" or not name.startswith("POST") else []
                    if warm:
                        bench.measure(f"warm-up {name}", port, warm, headers, threads=2, budget=20)
                    log(f"measuring {name}")
                    row = bench.measure(name, port, plan, headers, threads=options.threads, budget=options.budget)
                    section.rows.append(row)
                    figure = row_figure(name, row, target, options.budget)
                    section.figures.append(figure)
                    log(f"{name}: p95 {figure.value:,.0f} ms, {figure.detail}")
            log("timing insideout ledger verify")
            verify_seconds, summary = _verify(env)
            log(f"ledger verify: {verify_seconds:.1f} s ({summary})")
            section.figures.append(
                Figure("insideout ledger verify, every entry", verify_seconds, "s", 30.0, summary.strip())
            )
            section.notes.append(
                f"Data: `insideout demo --employees {options.recognition_employees}` then "
                f"`tools/bench_recognition.py load --entries {options.recognition_entries}` ({info['seconds']} s in "
                f"the loader); the most recognitions one person received: {info['most_received']}."
            )
    finally:
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return section


def add_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("recognition")
    group.add_argument("--skip-recognition", action="store_true", help="no recognition targets")
    group.add_argument("--recognition-entries", type=int, default=5_000_000, help="ledger entries to load")
    group.add_argument("--recognition-employees", type=int, default=100_000, help="people in the organisation")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    loading = commands.add_parser("load")
    loading.add_argument("--entries", type=int, default=5_000_000)
    loading.add_argument("--seed", type=int, default=7)
    options = parser.parse_args(argv)
    print(json.dumps(load(options.entries, options.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
