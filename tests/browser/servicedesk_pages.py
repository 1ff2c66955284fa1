"""The service desk's pages, each brought into a state worth checking (see ``pages.py``).

Each visit builds IT's desk (Berlin calendar, the "Laptops" service and its "New laptop" type)
through the real services, then opens the page as the person who would see it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from insideout.servicedesk import services
from insideout.servicedesk.models import Request
from insideout.servicedesk.tests.factories import catalog_create, desk_create, request_create

SignIn = Callable[[Any], None]


def _desk(org: dict[str, Any]) -> dict[str, Any]:
    desk = desk_create(unit=org["it"], lead=org["lead"])
    return {"desk": desk, **catalog_create(desk=desk, lead=org["lead"])}


def _worked_request(org: dict[str, Any]) -> tuple[dict[str, Any], Request]:
    """A request Eve filed, assigned to Sam, with a public reply and an internal note."""
    built = _desk(org)
    request = request_create(
        requester=org["employee"],
        request_type=built["request_type"],
        description="Ada starts on **Monday**; she needs the laptop on her first day.",
    )
    services.request_assign(actor=org["agent"].user, request=request, assignee_id=org["agent"].pk)
    services.request_comment(actor=org["agent"].user, request=request, body="Which keyboard layout does Ada use?")
    services.request_comment(
        actor=org["agent"].user, request=request, body="Order via the fast supplier.", internal=True
    )
    services.request_transition(actor=org["agent"].user, request=request, status="waiting_on_requester")
    return built, request


def _catalog(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    _desk(org)
    sign_in_as(org["employee"])
    page.goto("/services/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Services")
    expect(page.get_by_role("link", name="Laptops")).to_be_visible()


def _catalog_empty(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    sign_in_as(org["employee"])
    page.goto("/services/?q=submarine")
    expect(page.get_by_role("heading", level=1)).to_have_text("Services")


def _service(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    built = _desk(org)
    sign_in_as(org["employee"])
    page.goto(f"/services/{built['service'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Laptops")


def _request_form(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    built = _desk(org)
    sign_in_as(org["employee"])
    page.goto(f"/services/types/{built['request_type'].pk}/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New laptop")


def _request_form_errors(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    _request_form(page, org, sign_in_as)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()


def _my_requests(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    _worked_request(org)
    sign_in_as(org["employee"])
    page.goto("/requests/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My requests")
    expect(page.get_by_text("IT-1").first).to_be_visible()


def _request_as_requester(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    _built, request = _worked_request(org)
    sign_in_as(org["employee"])
    page.goto(f"/requests/{request.key}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("IT-1")
    expect(page.get_by_text("Order via the fast supplier.")).to_have_count(0)


def _request_as_agent(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    _built, request = _worked_request(org)
    sign_in_as(org["agent"])
    page.goto(f"/requests/{request.key}/")
    expect(page.get_by_text("Order via the fast supplier.")).to_be_visible()


def _queues(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    built, _request = _worked_request(org)
    request_create(requester=org["manager"], request_type=built["request_type"], subject="Loan laptop for a visitor")
    sign_in_as(org["agent"])
    page.goto("/desk/?queue=all_open")
    expect(page.get_by_role("heading", level=1)).to_have_text("Queues")
    expect(page.get_by_text("Loan laptop for a visitor")).to_be_visible()


def _queues_not_agent(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    sign_in_as(org["employee"])
    page.goto("/desk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Queues")


def _desks(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    _desk(org)
    sign_in_as(org["lead"])
    page.goto("/desks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Service desks")


def _desk_manage(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    built = _desk(org)
    sign_in_as(org["lead"])
    page.goto(f"/desks/{built['desk'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Service desk of IT")


def _calendar(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    built = _desk(org)
    sign_in_as(org["lead"])
    page.goto(f"/desks/{built['desk'].pk}/calendar/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Business calendar of IT")


def _service_edit(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    built = _desk(org)
    sign_in_as(org["lead"])
    page.goto(f"/desks/services/{built['service'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Laptops")


def _request_type_edit(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    built = _desk(org)
    sign_in_as(org["lead"])
    page.goto(f"/desks/types/{built['request_type'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("New laptop")


def _standards(page: Page, org: dict[str, Any], sign_in_as: SignIn) -> None:
    built = _desk(org)
    sign_in_as(org["lead"])
    page.goto(f"/desks/types/{built['request_type'].pk}/standards/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Service standards")


SERVICEDESK_PAGES = {
    "sd-catalog": _catalog,
    "sd-catalog-empty": _catalog_empty,
    "sd-service": _service,
    "sd-request-form": _request_form,
    "sd-request-form-errors": _request_form_errors,
    "sd-my-requests": _my_requests,
    "sd-request-requester": _request_as_requester,
    "sd-request-agent": _request_as_agent,
    "sd-queues": _queues,
    "sd-queues-not-agent": _queues_not_agent,
    "sd-desks": _desks,
    "sd-desk-manage": _desk_manage,
    "sd-calendar": _calendar,
    "sd-service-edit": _service_edit,
    "sd-request-type-edit": _request_type_edit,
    "sd-standards": _standards,
}
