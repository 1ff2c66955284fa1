"""``insideout demo``: load a realistic demo organisation and its service desks into an empty directory.

It lives in ``web`` because it loads two contexts (people, then the service desk) and only the
presentation layer may import both; ``insideout.web`` comes first in ``INSTALLED_APPS``.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from insideout.people import demo
from insideout.recognition import demo as recognition_demo
from insideout.servicedesk import demo as servicedesk_demo


class Command(BaseCommand):
    help = (
        "Load a realistic, deterministic demo organisation (same --seed, same people) with a service desk "
        "for every service-providing department and two years of requests, into an empty directory, and "
        "print the demo sign-ins. Every demo account's password is "
        f"'{demo.DEMO_PASSWORD}': demo data only. On a directory that already has people or units it "
        "refuses and changes nothing (also when it has people but no service desks); --if-empty makes "
        "that a quiet success that prints the sign-ins again. To start over, empty the database first "
        "(insideout flush)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--employees",
            type=int,
            default=400,
            help=f"how many people (at least {demo.MIN_EMPLOYEES}; default 400)",
        )
        parser.add_argument(
            "--requests",
            type=int,
            default=None,
            help=(
                "how many service requests over the last two years, across all desks (default "
                f"{servicedesk_demo.REQUESTS_PER_EMPLOYEE:g} per person, at most "
                f"{servicedesk_demo.DEFAULT_REQUESTS:,}; 0: desks and catalogs only)"
            ),
        )
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help=f"random seed (default {demo.DEFAULT_SEED})"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="load only when the directory is empty; otherwise just print the demo sign-ins",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        employees: int = options["employees"]
        requests: int = options["requests"]
        if requests is None:
            requests = servicedesk_demo.default_requests(employees)
        if employees < demo.MIN_EMPLOYEES:
            raise CommandError(f"--employees must be at least {demo.MIN_EMPLOYEES}.")
        if requests < 0:
            raise CommandError("--requests cannot be negative.")
        people, units = demo.directory_counts()
        if people or units:
            if options["if_empty"]:
                self.stdout.write(
                    f"The directory already has {people:,} people and {units:,} units; the demo was not loaded."
                )
                self._print_sign_ins()
                return
            raise CommandError(
                f"The directory already has {people:,} people and {units:,} units; nothing was changed. "
                "Use --if-empty to keep them (and print the demo sign-ins), or empty the database first "
                "with 'insideout flush' to load a fresh demo."
            )
        self.stdout.write(
            f"Loading a demo organisation of {employees:,} people and {requests:,} service requests "
            f"(seed {options['seed']})…"
        )
        last = [0.0]

        def progress(phase: str, done: int, total: int) -> None:
            now = time.monotonic()
            if done == total or now - last[0] >= 1.0:
                last[0] = now
                self.stdout.write(f"  {phase} {done:,}/{total:,}")

        try:
            with transaction.atomic():
                result, desks = servicedesk_demo.demo_load(
                    employees=employees, requests=requests, seed=options["seed"], progress=progress
                )
                praise = recognition_demo.demo_load(seed=options["seed"], progress=progress)
        except (demo.DemoError, servicedesk_demo.DemoError, recognition_demo.DemoError) as exc:
            raise CommandError(f"{exc} Nothing was changed; empty the database first (insideout flush).") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {result.employees:,} people ({result.leavers:,} of them leavers), {result.units:,} units "
                f"({result.service_departments} service-providing departments) and {result.events:,} history "
                f"events in {result.seconds:.1f} s."
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {desks.desks} service desks ({desks.services} services, {desks.request_types} request "
                f"types) and {desks.requests:,} requests with {desks.comments:,} comments and {desks.events:,} "
                f"history events in {desks.seconds:.1f} s."
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {praise.values} values, {praise.rewards} rewards, {praise.recognitions:,} recognitions "
                f"with {praise.boosts:,} boosts, {praise.awards} spot awards, {praise.redemptions} redemptions and "
                f"{praise.badges} badges in {praise.seconds:.1f} s."
            )
        )
        self._print_sign_ins()

    def _print_sign_ins(self) -> None:
        sign_ins = demo.sign_ins()
        if not sign_ins:
            self.stdout.write("This database has none of the demo sign-ins.")
            return
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password '{demo.DEMO_PASSWORD}' for every demo account; demo data only):")
        width = max(len(sign_in.username) for sign_in in sign_ins)
        for sign_in in sign_ins:
            roles = ", ".join(sign_in.roles) or "no roles"
            self.stdout.write(
                f"  {sign_in.username:<{width}}  {sign_in.name} <{sign_in.email}>, {sign_in.title}, "
                f"{sign_in.unit}: {sign_in.role} [{roles}]"
            )
