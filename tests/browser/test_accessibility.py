"""axe-core on every page, in every state worth checking: no serious or critical violation."""

from __future__ import annotations

import pytest

from .pages import PAGES
from .support import assert_accessible, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations(name, page, org, sign_in_as):
    PAGES[name](page, org, sign_in_as)

    screenshot(page, f"desktop-{name}")
    assert_accessible(page, name)
