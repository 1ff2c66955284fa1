"""Many people giving from one allowance at the same moment, each thread on its own database
connection: exactly as many succeed as the allowance can pay for.

Used by ``test_ledger_concurrency.py``: in-process on PostgreSQL, and as a script on a SQLite file
(``python -m insideout.recognition.tests.race <data dir>``), because the in-memory test database
SQLite gets under pytest shares one cache between threads and cannot show real locking.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@dataclass
class RaceResult:
    succeeded: int
    refused: int
    failed: list[str]
    left: int  # what is left of the balance paid from
    moved: int  # what arrived where the points went
    verified: bool


def seed(recipients: int) -> tuple[Any, list[int], int]:
    """A giver, ``recipients`` colleagues, and one value."""
    from insideout.people.tests.factories import EmployeeFactory
    from insideout.recognition.models import Value

    giver = EmployeeFactory(username="racer")
    others = [EmployeeFactory(username=f"colleague{n}").pk for n in range(recipients)]
    value = Value.objects.get_or_create(name="Be helpful")[0]
    return giver, others, value.pk


def _at_once(calls: list[Callable[[], object]]) -> list[str]:
    """Run every call on its own thread (and database connection), all released by one barrier;
    each outcome is "ok", "refused" (a Conflict) or the error's words."""
    from django.db import connection

    from insideout.core.errors import Conflict

    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def one(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            call()
            outcome = "ok"
        except Conflict:
            outcome = "refused"
        except Exception as exc:  # noqa: BLE001 - any other failure is what the test reports
            outcome = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=one, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _result(outcomes: list[str], *, left: int, moved: int) -> RaceResult:
    from insideout.recognition import ledger

    return RaceResult(
        succeeded=outcomes.count("ok"),
        refused=outcomes.count("refused"),
        failed=[outcome for outcome in outcomes if outcome not in ("ok", "refused")],
        left=left,
        moved=moved,
        verified=ledger.ledger_verify().ok,
    )


def race(*, giver: Any, recipients: list[int], value_id: int, points: int) -> RaceResult:
    """One thread per recipient, all released at once, each giving ``points`` to its recipient.
    ``left`` is the giver's allowance afterwards, ``moved`` what the recipients earned."""
    from insideout.recognition import ledger, selectors, services
    from insideout.recognition.models import AccountKind

    def give(recipient: int) -> Callable[[], object]:
        return lambda: services.recognition_give(
            actor=giver.user, to=[recipient], message="Thanks!", values=[value_id], points=points, now=NOW
        )

    outcomes = _at_once([give(pk) for pk in recipients])
    earned = sum(int(ledger.account_for(kind=AccountKind.EARNED, owner_id=pk).balance) for pk in recipients)
    return _result(outcomes, left=selectors.points_of(employee_id=giver.pk, now=NOW).allowance, moved=earned)


def race_redemptions(*, person: Any, threads: int, cost: int, balance: int) -> RaceResult:
    """``threads`` redemptions of a ``cost``-point reward at once from an earned balance of
    ``balance``. ``left`` is the earned balance afterwards, ``moved`` what is held for the redemptions."""
    from insideout.recognition import ledger, rewards, selectors
    from insideout.recognition.models import AccountKind, Reward

    ledger.ledger_post(
        kind="grant",
        movements=[
            (ledger.account_for(kind=AccountKind.ISSUANCE), -balance),
            (ledger.account_for(kind=AccountKind.EARNED, owner_id=person.pk), balance),
        ],
    )
    reward = Reward.objects.create(name="Race mug", points_cost=cost)
    outcomes = _at_once([lambda: rewards.redemption_create(actor=person.user, reward_id=reward.pk, now=NOW)] * threads)
    held = int(ledger.account_for(kind=AccountKind.HELD).balance)
    return _result(outcomes, left=selectors.points_of(employee_id=person.pk, now=NOW).earned, moved=held)


def main(data_dir: str, recipients: int, points: int) -> None:
    import os

    os.environ["INSIDEOUT_DATA_DIR"] = data_dir
    os.environ.pop("INSIDEOUT_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    giver, others, value_id = seed(recipients)
    gives = race(giver=giver, recipients=others, value_id=value_id, points=points)
    redemptions = race_redemptions(person=giver, threads=recipients, cost=50, balance=250)
    sys.stdout.write(json.dumps({"gives": asdict(gives), "redemptions": asdict(redemptions)}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
