"""50 simultaneous gives from one allowance of 100 that pays for only ten of them, and 50
simultaneous redemptions of a 50-point reward from a balance of 250: exactly ten gives and five
redemptions succeed, the others are refused cleanly, and the ledger reconciles; on PostgreSQL and on
SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from insideout.recognition.tests.race import race, race_redemptions, seed

THREADS = 50
POINTS = 10  # an allowance of 100 pays for 10 of them


def _check_redemptions(result: dict[str, Any]) -> None:
    assert result["failed"] == []
    assert (result["succeeded"], result["refused"]) == (5, 45)
    assert result["left"] == 0  # the earned balance
    assert result["moved"] == 250  # all of it held for the five
    assert result["verified"]


def _check(result: dict[str, Any]) -> None:
    assert result["failed"] == []
    assert (result["succeeded"], result["refused"]) == (10, 40)
    assert result["left"] == 0  # the allowance
    assert result["moved"] == 100  # earned by the ten
    assert result["verified"]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_gives_on_postgresql() -> None:
    assert connection.vendor == "postgresql"
    giver, recipients, value_id = seed(THREADS)
    result = race(giver=giver, recipients=recipients, value_id=value_id, points=POINTS)
    _check(result.__dict__)
    _check_redemptions(race_redemptions(person=giver, threads=THREADS, cost=50, balance=250).__dict__)


def test_simultaneous_gives_on_a_sqlite_file(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[4]
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    done = subprocess.run(  # noqa: S603 - our own module, with our own interpreter
        [sys.executable, "-m", "insideout.recognition.tests.race", str(tmp_path), str(THREADS), str(POINTS)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    _check(results["gives"])
    _check_redemptions(results["redemptions"])
