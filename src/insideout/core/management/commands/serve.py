"""Serve the site and run the task consumer beside it: one command for a single machine."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Serve InsideOut on one machine: the web server (Django's development server with "
        "INSIDEOUT_DEBUG, gunicorn otherwise) and the Huey consumer that runs background work."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (without debug)")

    def handle(self, *args: Any, **options: Any) -> None:
        bind = f"{options['host']}:{options['port']}"
        manage = [sys.executable, "-m", "insideout"]
        consumer = subprocess.Popen([*manage, "run_huey", "--quiet"])  # noqa: S603
        if settings.DEBUG:
            web_cmd = [*manage, "runserver", bind]
        else:
            manage_static = subprocess.run([*manage, "collectstatic", "--no-input", "-v", "0"], check=False)  # noqa: S603
            if manage_static.returncode:
                self.stderr.write("collectstatic failed; static files may be missing.")
            web_cmd = [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
            ]
        self.stdout.write(self.style.SUCCESS(f"InsideOut is starting on http://{bind}/ (Ctrl+C stops it)"))
        web = subprocess.Popen(web_cmd)  # noqa: S603

        def stop(*_args: object) -> None:
            for process in (web, consumer):
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for process in (web, consumer):
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
