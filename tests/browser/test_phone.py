"""At phone width (390×844) every page fits: nothing scrolls sideways."""

from __future__ import annotations

import pytest

from .pages import PAGES
from .support import PHONE, assert_no_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_a_phone_without_scrolling_sideways(name, page, org, sign_in_as):
    page.set_viewport_size(PHONE)

    PAGES[name](page, org, sign_in_as)

    screenshot(page, f"phone-{name}")
    assert_no_horizontal_scroll(page, name)
