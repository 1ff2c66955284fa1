"""Every page of the site, each brought into the state worth checking.

A visit takes the Playwright page, the ``org`` fixture's people and a ``sign_in_as`` callable,
and leaves the browser on the page in that state. The accessibility and phone-width tests
walk through all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core import mail
from playwright.sync_api import Page, expect

from insideout.people import services
from insideout.people.models import User

from .servicedesk_pages import SERVICEDESK_PAGES
from .support import PASSWORD, sign_in_with_form

Visit = Callable[[Page, dict[str, Any], Callable[[Any], None]], None]


def _sign_in_page(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _sign_in_error(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_with_form(page, "eve@example.org", "not-the-password")
    expect(page.get_by_role("alert")).to_be_visible()


def _password_reset(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    page.goto("/accounts/password/reset/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _password_reset_done(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    page.goto("/accounts/password/reset/")
    page.get_by_label("E-mail address").fill("eve@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))


def _reset_link(page: Page) -> str:
    mail.outbox.clear()
    _password_reset_done(page, {}, lambda person: None)
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    return link.group(0)


def _password_reset_confirm(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    page.goto(_reset_link(page))
    expect(page.locator("input[type=password]").first).to_be_visible()


def _password_reset_confirm_invalid(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    page.goto("/accounts/password/reset/MQ/not-a-token/")
    expect(page.get_by_role("link", name=re.compile("Reset your password"))).to_be_visible()


def _password_reset_complete(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    page.goto(_reset_link(page))
    for field in page.locator("input[type=password]").all():
        field.fill("a-brand-new-Passphrase-42")
    page.get_by_role("button", name="Save the password").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/complete/$"))


def _password_change(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/accounts/password/change/")
    expect(page.locator("input[type=password]").first).to_be_visible()


def _password_change_error(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/accounts/password/change/")
    fields = page.locator("input[type=password]")
    fields.nth(0).fill("wrong")
    fields.nth(1).fill("short")
    fields.nth(2).fill("other")
    page.get_by_role("button", name="Save the password").click()
    expect(page.locator(".errorlist").first).to_be_visible()


def _password_change_done(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/accounts/password/change/")
    fields = page.locator("input[type=password]")
    fields.nth(0).fill(PASSWORD)
    fields.nth(1).fill("a-brand-new-Passphrase-42")
    fields.nth(2).fill("a-brand-new-Passphrase-42")
    page.get_by_role("button", name="Save the password").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/change/done/$"))


def _home(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["manager"])
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Mo")


def _people_results(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/people/")
    expect(page.locator("#results tbody tr")).to_have_count(5)


def _people_empty(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/people/?q=nobody-like-this")
    expect(page.locator("#results .empty")).to_be_visible()


def _people_in_unit(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto(f"/people/?unit={org['it'].pk}")
    expect(page.locator("#results tbody tr")).to_have_count(2)


def _person(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto(f"/people/{org['lead'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lena Lead")


def _person_me(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["manager"])
    page.goto(f"/people/{org['manager'].pk}/")
    expect(page.get_by_role("link", name="Edit my profile")).to_be_visible()


def _card_open(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/people/?q=sam")
    page.get_by_role("button", name="How Sam Agent likes to work").click()
    expect(page.locator(".person-card:popover-open h2")).to_have_text("Sam Agent")


def _units(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/units/")
    page.get_by_role("button", name="Sub-units of IT").click()
    expect(page.get_by_role("link", name="Helpdesk")).to_be_visible()


def _unit(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto(f"/units/{org['it'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("IT")


def _my_profile(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/me/profile/")
    expect(page.get_by_role("button", name="Save my profile")).to_be_visible()


def _my_profile_invalid(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/me/profile/")
    page.get_by_label("Mon", exact=True).check()
    page.get_by_label("From", exact=True).fill("17:00")
    page.get_by_label("To", exact=True).fill("09:00")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_text("Working hours must end after they start.")).to_be_visible()


def _my_profile_saved(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/me/profile/")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")


def _tokens(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/me/tokens/")
    expect(page.get_by_role("button", name="Create the token")).to_be_visible()


def _token_created(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/me/tokens/")
    page.get_by_label("What is it for?").fill("Reporting script")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create the token").click()
    expect(page.locator("#new-token")).to_be_visible()
    page.get_by_label("What is it for?").fill("Old laptop")
    page.get_by_role("button", name="Create the token").click()
    page.get_by_role("button", name="Revoke Old laptop").click()
    expect(page.get_by_role("status")).to_be_visible()
    page.get_by_label("What is it for?").fill("Calendar sync")
    page.get_by_role("button", name="Create the token").click()
    expect(page.locator("#new-token")).to_be_visible()


def _notifications(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    # Sam joined Lena's unit with Lena as manager: Lena has a notification waiting.
    sign_in_as(org["lead"])
    page.goto("/notifications/")
    expect(page.locator("main li").first).to_be_visible()


def _notifications_empty(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    page.goto("/notifications/")
    expect(page.locator("main .empty")).to_be_visible()


def _people_import(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["admin"])
    page.goto("/people/import/")
    expect(page.get_by_role("button", name="Send the file")).to_be_visible()


def _upload(page: Page, csv: str) -> None:
    page.get_by_label("CSV file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="Send the file").click()


def _people_import_dry_run(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    _people_import(page, org, sign_in_as)
    _upload(
        page,
        "employee_id,email,first_name,last_name,unit,title\n"
        "E900001,nia@example.org,Nia,Newman,SALES,Account manager\n"
        f"{org['employee'].employee_id},eve@example.org,Eve,Employee,SALES,Senior specialist\n",
    )
    expect(page.get_by_role("status")).to_be_visible()


def _people_import_problems(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    _people_import(page, org, sign_in_as)
    _upload(page, "employee_id,email,first_name,last_name,unit\nE900002,not-an-e-mail,Ola,Oops,NOPE\n")
    expect(page.get_by_role("alert")).to_be_visible()


def _not_found(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    response = page.goto("/people/999999/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def _forbidden(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    sign_in_as(org["employee"])
    response = page.goto("/people/import/")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")


def _outsider(sign_in_as: Callable[[Any], None]) -> None:
    """An account that is not a person of the directory, like an integration's or an administrator's."""
    sign_in_as(User.objects.create_user(username="olga", email="olga@example.org", first_name="Olga"))


def _account_without_person_home(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    _outsider(sign_in_as)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to InsideOut")


def _account_without_person_profile(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    _outsider(sign_in_as)
    response = page.goto("/me/profile/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")


def _german_home(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    services.profile_update(profile=org["manager"].profile, language="de")
    sign_in_as(org["manager"])
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hallo, Mo")


def _german_profile_invalid(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    services.profile_update(profile=org["employee"].profile, language="de")
    sign_in_as(org["employee"])
    page.goto("/me/profile/")
    page.get_by_label("Mo", exact=True).check()
    page.get_by_label("Von", exact=True).fill("17:00")
    page.get_by_label("Bis", exact=True).fill("09:00")
    page.get_by_role("button", name="Profil speichern").click()
    expect(page.get_by_text("Die Arbeitszeit muss nach ihrem Beginn enden.")).to_be_visible()


def _german_people(page: Page, org: dict[str, Any], sign_in_as: Callable[[Any], None]) -> None:
    services.profile_update(profile=org["admin"].profile, language="de")
    sign_in_as(org["admin"])
    page.goto("/people/")
    expect(page.locator("#results tbody tr")).to_have_count(5)


PAGES: dict[str, Visit] = {
    "sign-in": _sign_in_page,
    "sign-in-error": _sign_in_error,
    "password-reset": _password_reset,
    "password-reset-done": _password_reset_done,
    "password-reset-confirm": _password_reset_confirm,
    "password-reset-confirm-invalid": _password_reset_confirm_invalid,
    "password-reset-complete": _password_reset_complete,
    "password-change": _password_change,
    "password-change-error": _password_change_error,
    "password-change-done": _password_change_done,
    "home": _home,
    "people-results": _people_results,
    "people-empty": _people_empty,
    "people-in-unit": _people_in_unit,
    "person": _person,
    "person-me": _person_me,
    "card-open": _card_open,
    "units": _units,
    "unit": _unit,
    "my-profile": _my_profile,
    "my-profile-invalid": _my_profile_invalid,
    "my-profile-saved": _my_profile_saved,
    "tokens": _tokens,
    "token-created": _token_created,
    "notifications": _notifications,
    "notifications-empty": _notifications_empty,
    "people-import": _people_import,
    "people-import-dry-run": _people_import_dry_run,
    "people-import-problems": _people_import_problems,
    "not-found": _not_found,
    "forbidden": _forbidden,
    "account-without-person-home": _account_without_person_home,
    "account-without-person-profile": _account_without_person_profile,
    "german-home": _german_home,
    "german-people": _german_people,
    "german-my-profile-invalid": _german_profile_invalid,
    **SERVICEDESK_PAGES,
}
