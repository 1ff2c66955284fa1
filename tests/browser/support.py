"""Helpers for the browser tests: sign-in, screenshots, axe-core and layout checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Screenshots land in the repository's var/ (git-ignored), whatever INSIDEOUT_DATA_DIR says.
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
PASSWORD = "correct-horse-battery"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")

_axe = Axe()


def sign_in_with_form(page: Page, identifier: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail or username").fill(identifier)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def screenshot(page: Page, name: str) -> Path:
    """Keep a full-page picture under var/test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{_slug(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _describe(violation: dict[str, Any]) -> str:
    lines = [f"[{violation['impact']}] {violation['id']}: {violation['help']}", f"    {violation['helpUrl']}"]
    for node in violation["nodes"][:8]:
        target = " ".join(str(part) for part in node["target"])
        lines.append(f"  - {target}")
        lines.append(f"      {node['html'][:240]}")
        summary = (node.get("failureSummary") or "").strip()
        if summary:
            lines.extend(f"      {line}" for line in summary.splitlines())
    if len(violation["nodes"]) > 8:
        lines.append(f"  … and {len(violation['nodes']) - 8} more elements")
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    return list(_axe.run(page).response["violations"])


def accessibility_problems(page: Page, what: str) -> str:
    """axe-core's serious and critical findings on the page as it is now, readable; "" when none.

    Minor and moderate findings do not count; they are written next to the screenshots
    (``axe-<what>.txt``) for whoever polishes the page next.
    """
    violations = axe_violations(page)
    report_file = ARTIFACTS / f"axe-{_slug(what)}.txt"
    if violations:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        report_file.write_text(f"{page.url}\n\n" + "\n\n".join(_describe(v) for v in violations) + "\n")
    else:
        report_file.unlink(missing_ok=True)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if not blocking:
        return ""
    report = "\n".join(_describe(v) for v in blocking)
    return f"axe-core found {len(blocking)} serious or critical violation(s) on {what} ({page.url}):\n{report}"


def horizontal_scroll_problem(page: Page, what: str) -> str:
    """Why the page scrolls sideways at the current viewport width, naming the widest elements; "" when it fits."""
    viewport = page.viewport_size["width"] if page.viewport_size else 0
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= viewport:
        return ""
    widest = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > limit + 0.5)
            .slice(0, 6)
            .map(el => el.outerHTML.slice(0, 120) + ' … right=' + Math.round(el.getBoundingClientRect().right))""",
        viewport,
    )
    lines = "\n".join(f"  - {element}" for element in widest)
    return f"{what} scrolls sideways at {viewport}px (document.scrollWidth is {width}); too wide:\n{lines}"
