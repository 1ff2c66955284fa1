"""Every page, in every state worth checking (see ``pages.py``), passes two checks:

* axe-core finds no serious or critical accessibility violation at desktop width (1280×900);
* at phone width (390×844) nothing scrolls sideways.

Both are checked in one visit, because bringing a page into its state costs most of the time,
and both are reported together when they fail. Screenshots of both widths are kept under
var/test-artifacts/ (``desktop-<page>.png``, ``phone-<page>.png``).
"""

from __future__ import annotations

import pytest

from .pages import PAGES
from .support import PHONE, accessibility_problems, horizontal_scroll_problem, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_accessible_and_fits_a_phone(name, page, org, sign_in_as):
    PAGES[name](page, org, sign_in_as)

    screenshot(page, f"desktop-{name}")
    problems = [accessibility_problems(page, name)]
    page.set_viewport_size(PHONE)
    screenshot(page, f"phone-{name}")
    problems.append(horizontal_scroll_problem(page, name))

    problems = [problem for problem in problems if problem]
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
