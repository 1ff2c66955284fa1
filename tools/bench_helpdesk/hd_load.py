"""Bulk-load django-helpdesk with the benchmark's data set: the same shape as InsideOut's.

Three queues (as InsideOut's three desks), 50 staff agents (``agent`` among them, the one who
signs in), tickets spread over two years with the newest 3 % open, and follow-ups (comments)
spread between each ticket's creation and its closing. Raw bulk inserts (``bench_rows``).

Run with django-helpdesk's virtual environment and ``DJANGO_SETTINGS_MODULE=hd_settings``::

    python hd_load.py --tickets 200000 --followups 600000
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/, for bench_rows

import django

django.setup()

from bench_data import COMMENTS, DESK_SHARES, OPEN_SHARE, PRIORITY_SHARES, SPAN, SUBJECTS, comment_count, weighted  # noqa: E402
from bench_rows import Table, analyze  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import transaction  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402

PASSWORD = "insideout"  # noqa: S105 - the benchmark's throw-away agent
QUEUES = (("IT", "it"), ("HR", "hr"), ("Finance", "fin"))  # as InsideOut's three desks
PRIORITIES = tuple(zip((1, 2, 3, 4), PRIORITY_SHARES, strict=True))


def load(tickets: int, followups: int, seed: int) -> dict[str, object]:
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 - made-up data
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    password = make_password(PASSWORD)
    with transaction.atomic():
        for n in range(50):  # one by one: a signal gives each user its helpdesk settings
            User(username="agent" if n == 0 else f"agent{n}", email=f"agent{n}@example.com", password=password,
                 is_staff=True, is_superuser=n == 0, first_name="Agent", last_name=str(n)).save()  # fmt: skip
        agents = list(User.objects.filter(is_staff=True).values_list("pk", flat=True))
        queues = [
            (Queue.objects.create(title=title, slug=slug, allow_public_submission=True).pk, share)
            for (title, slug), (_code, share) in zip(QUEUES, DESK_SHARES, strict=True)
        ]
        ticket_table = Table(
            Ticket,
            ["id", "title", "queue", "created", "modified", "submitter_email", "assigned_to", "status", "on_hold",
             "description", "resolution", "priority", "secret_key"],
        )  # fmt: skip
        followup_table = Table(FollowUp, ["ticket", "date", "title", "comment", "public", "user", "new_status"])
        first_open = int(tickets * (1 - OPEN_SHARE))
        step = SPAN / max(1, tickets)
        per_ticket = followups / max(1, tickets)
        rows, notes = [], []
        counts = {"ticket": 0, "followup": 0}
        for index in range(tickets):
            queue = weighted(rng, queues)
            created = now - SPAN + step * index + timedelta(seconds=rng.randrange(60))
            is_open = index >= first_open
            assignee = rng.choice(agents) if not is_open or rng.random() > 0.12 else None
            closed = min(now, created + timedelta(days=rng.uniform(0.2, 5)) + timedelta(days=7))
            end = now if is_open else closed
            subject = SUBJECTS[index % len(SUBJECTS)]
            rows.append(
                ticket_table.row(
                    [
                        index + 1,
                        subject,
                        queue,
                        created,
                        end,
                        f"person{rng.randrange(20000)}@example.com",
                        assignee,
                        1 if is_open else 4,
                        False,
                        f"{subject}. Request {index} of the benchmark's data set.",
                        "" if is_open else "Fixed.",
                        weighted(rng, PRIORITIES),
                        secrets.token_hex(18),
                    ]
                )  # fmt: skip
            )
            count = comment_count(rng, per_ticket)
            for position in range(count):
                at = created + (end - created) * ((position + 1) / (count + 1))
                by_agent = position % 2 == 0 and assignee is not None
                notes.append(
                    followup_table.row(
                        [
                            index + 1,
                            at,
                            "Comment",
                            COMMENTS[rng.randrange(len(COMMENTS))],
                            True,
                            assignee if by_agent else None,
                            None,
                        ]
                    )  # fmt: skip
                )
            if len(notes) >= 100_000:
                counts["ticket"] += ticket_table.insert(rows)
                counts["followup"] += followup_table.insert(notes)
                rows, notes = [], []
        counts["ticket"] += ticket_table.insert(rows)
        counts["followup"] += followup_table.insert(notes)
    analyze()
    return {"seconds": round(time.monotonic() - started, 1), "rows": counts, "open": tickets - first_open}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--followups", type=int, default=600_000)
    parser.add_argument("--seed", type=int, default=3)
    options = parser.parse_args()
    print(json.dumps(load(options.tickets, options.followups, options.seed)))
