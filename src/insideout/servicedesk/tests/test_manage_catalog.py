"""Desk admin pages: the catalog editor (services) and the request type's form editor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from insideout.core.models import Event
from insideout.people.tests.factories import UnitFactory
from insideout.servicedesk import services
from insideout.servicedesk.models import RequestField, RequestType, Service, ServiceStandard
from insideout.servicedesk.tests.test_manage_desks import _count, _errors, _messages, make_sales_lead

ClientFor = Callable[[Any], Client]


def _service_post(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Phones",
        "description": "Mobile phones and SIM cards.",
        "owner": "",
        "audience": "everyone",
        "is_active": "on",
        "position": "2",
    } | changes


def _field(index: int, **values: str) -> dict[str, str]:
    return {f"fields-{index}-{name}": value for name, value in values.items()}


def _type_post(rows: list[dict[str, str]], *, initial: int = 0, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "New laptop",
        "description": "Ask for a laptop.",
        "default_priority": "P2",
        "assignment": "round_robin",
        "is_active": "on",
        "position": "0",
        "fields-TOTAL_FORMS": str(len(rows)),
        "fields-INITIAL_FORMS": str(initial),
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        data |= _field(index, **row)
    return data | changes


def _form_of(request_type: RequestType) -> list[tuple[str, str, str, bool, list[str]]]:
    return [
        (f.key, f.label, f.type, f.required, f.choices)
        for f in RequestField.objects.filter(request_type=request_type).order_by("position")
    ]


# --- services -------------------------------------------------------------------------------------


def test_the_new_service_page_offers_owners_and_units(desk: dict[str, Any], client_for: ClientFor) -> None:
    UnitFactory(code="FIN", name="Finance", kind="department", parent=desk["company"])  # newest, first by name

    response = client_for(desk["lead"]).get(f"/desks/{desk['desk'].pk}/services/new/")

    assert response.status_code == 200
    form = response.context["form"]
    assert [label for _pk, label in form.fields["owner"].choices] == ["Nobody in particular", "Sam Agent", "Lena Lead"]
    assert [label for _pk, label in form.fields["audience_units"].choices] == [
        "Acme",
        "— Finance",
        "— IT",
        "— — Helpdesk",
        "— Sales",
    ]
    assert "<h1>New service</h1>" in response.content.decode()


def test_creating_a_service(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).post(
        f"/desks/{desk['desk'].pk}/services/new/",
        _service_post(owner=str(desk["agent"].pk), audience="units", audience_units=[str(desk["sales"].pk)]),
        follow=True,
    )

    service = Service.objects.get(desk=desk["desk"], name="Phones")
    assert response.redirect_chain == [(f"/desks/services/{service.pk}/", 302)]
    assert _messages(response) == ["The service “Phones” is created."]
    assert (service.description, service.owner_id, service.audience, service.is_active, service.position) == (
        "Mobile phones and SIM cards.",
        desk["agent"].pk,
        "units",
        True,
        2,
    )
    assert list(service.audience_units.values_list("name", flat=True)) == ["Sales"]
    assert Event.objects.filter(type="servicedesk.catalog_changed", payload__what="service_created").count() == 2


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"name": "laptops"}, {"name": ["This desk already has a service called laptops."]}),
        ({"name": ""}, {"name": ["This field is required."]}),
        ({"audience": "units"}, {"audience_units": ["Choose at least one unit that may request this service."]}),
        ({"owner": "999999"}, {"owner": ["Select a valid choice. 999999 is not one of the available choices."]}),
    ],
    ids=["name taken", "no name", "units without a unit", "owner not of the desk"],
)
def test_an_invalid_service_is_refused_next_to_the_field(
    desk: dict[str, Any], client_for: ClientFor, changes: dict[str, str], errors: dict[str, list[str]]
) -> None:
    response = client_for(desk["lead"]).post(f"/desks/{desk['desk'].pk}/services/new/", _service_post(**changes))

    assert response.status_code == 200
    assert _errors(response.context["form"]) == errors
    assert list(Service.objects.values_list("name", flat=True)) == ["Laptops"]


def test_editing_a_service(desk: dict[str, Any], client_for: ClientFor) -> None:
    service = desk["service"]

    response = client_for(desk["lead"]).post(
        f"/desks/services/{service.pk}/", _service_post(name="Laptops and docks", is_active=""), follow=True
    )

    assert response.redirect_chain == [("./", 302)]
    assert _messages(response) == ["The service “Laptops and docks” is saved."]
    service.refresh_from_db()
    assert (service.name, service.is_active, service.owner_id) == ("Laptops and docks", False, None)
    assert Event.objects.filter(type="servicedesk.catalog_changed", payload__what="service_updated").count() == 1
    page = response.content.decode()
    assert "<h1>Service: Laptops and docks</h1>" in page
    assert f'<a href="/desks/types/{desk["request_type"].pk}/">New laptop</a>' in page


def test_the_service_page_shows_what_is_saved(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).get(f"/desks/services/{desk['service'].pk}/")

    assert response.context["form"].initial == {
        "name": "Laptops",
        "description": "New laptops, repairs and loans.",
        "owner": desk["lead"].pk,
        "audience": "everyone",
        "audience_units": [],
        "is_active": True,
        "position": 0,
    }


def test_an_owner_who_left_the_desk_stays_the_owner_until_changed(desk: dict[str, Any], client_for: ClientFor) -> None:
    services.service_update(actor=desk["lead"].user, service=desk["service"], owner=desk["employee"])

    response = client_for(desk["lead"]).get(f"/desks/services/{desk['service'].pk}/")

    assert response.context["form"]["owner"].value() == desk["employee"].pk
    assert [label for _pk, label in response.context["form"].fields["owner"].choices] == [
        "Nobody in particular",
        "Sam Agent",
        "Eve Employee",
        "Lena Lead",
    ]


# --- request types and their forms -----------------------------------------------------------------


def test_creating_a_request_type_with_its_form(desk: dict[str, Any], client_for: ClientFor) -> None:
    rows = [
        {"key": "reason", "label": "Why", "type": "long_text", "ORDER": "2"},
        {"key": "size", "label": "Size", "type": "choice", "required": "on", "choices": "S\nM\n\nL", "ORDER": "1"},
        {"key": "", "label": "", "type": "text", "ORDER": ""},  # the empty row adds nothing
    ]

    response = client_for(desk["lead"]).post(
        f"/desks/services/{desk['service'].pk}/types/new/", _type_post(rows, name="Dock"), follow=True
    )

    created = RequestType.objects.get(service=desk["service"], name="Dock")
    assert response.redirect_chain == [(f"/desks/types/{created.pk}/standards/", 302)]
    assert _messages(response) == [
        "The request type “Dock” is created with default standards for P1–P4; check them below."
    ]
    assert (created.default_priority, created.assignment, created.is_active) == ("P2", "round_robin", True)
    assert _form_of(created) == [
        ("size", "Size", "choice", True, ["S", "M", "L"]),
        ("reason", "Why", "long_text", False, []),
    ]
    assert sorted(ServiceStandard.objects.filter(request_type=created).values_list("priority", "version")) == [
        ("P1", 1),
        ("P2", 1),
        ("P3", 1),
        ("P4", 1),
    ]
    created_events = Event.objects.filter(type="servicedesk.catalog_changed", payload__what="request_type_created")
    assert list(created_events.values_list("subject_id", flat=True)) == [str(desk["request_type"].pk), str(created.pk)]


def test_the_new_request_type_page_starts_with_one_empty_field(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).get(f"/desks/services/{desk['service'].pk}/types/new/")

    assert response.status_code == 200
    assert [form.initial for form in response.context["formset"].forms] == [{}]
    assert response.context["form"].initial == {
        "default_priority": "P3",
        "assignment": "manual",
        "is_active": True,
        "position": 0,
        "update_unit": "days",
    }
    page = response.content.decode()
    assert "<h1>New request type</h1>" in page
    assert "Create the request type" in page
    assert "<legend>New field</legend>" in page


def test_the_form_editor_shows_the_fields_in_order(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).get(f"/desks/types/{desk['request_type'].pk}/")

    formset = response.context["formset"]
    assert [form.initial for form in formset.forms] == [
        {
            "key": "model",
            "label": "Model",
            "type": "choice",
            "required": True,
            "choices": "13 inch\n15 inch",
            "help_text": "",
            "ORDER": 1,
        },
        {
            "key": "needed_on",
            "label": "Needed on",
            "type": "date",
            "required": False,
            "choices": "",
            "help_text": "",
            "ORDER": 2,
        },
        {},
    ]
    page = response.content.decode()
    assert "<legend>Field “model”</legend>" in page
    assert "<legend>New field</legend>" in page


def test_editing_the_form_reorders_removes_and_adds_fields(desk: dict[str, Any], client_for: ClientFor) -> None:
    request_type = desk["request_type"]
    rows = [
        {
            "key": "model",
            "label": "Model",
            "type": "choice",
            "required": "on",
            "choices": "13 inch\n15 inch",
            "ORDER": "2",
        },
        {"key": "needed_on", "label": "Needed on", "type": "date", "ORDER": "3", "DELETE": "on"},
        {"key": "colleague", "label": "For whom", "type": "person", "ORDER": "1", "help_text": "Who gets it"},
    ]

    response = client_for(desk["lead"]).post(
        f"/desks/types/{request_type.pk}/", _type_post(rows, initial=2, name="New laptop"), follow=True
    )

    assert response.redirect_chain == [("./", 302)]
    assert _messages(response) == ["The request type “New laptop” is saved."]
    assert _form_of(request_type) == [
        ("colleague", "For whom", "person", False, []),
        ("model", "Model", "choice", True, ["13 inch", "15 inch"]),
    ]
    assert RequestField.objects.get(request_type=request_type, key="colleague").help_text == "Who gets it"
    assert Event.objects.filter(type="servicedesk.catalog_changed", payload__what="request_type_updated").count() == 1


def test_a_form_error_shows_on_its_own_row_and_nothing_changes(desk: dict[str, Any], client_for: ClientFor) -> None:
    request_type = desk["request_type"]
    before = _form_of(request_type)
    rows = [
        {"key": "model", "label": "Model", "type": "choice", "choices": "13 inch", "ORDER": "1"},
        {"key": "needed_on", "label": "Needed on", "type": "date", "DELETE": "on"},
        {"key": "Bad Key", "label": "Bad", "type": "text", "ORDER": "2"},
        {"key": "extra", "label": "Extra", "type": "text", "choices": "a\nb", "ORDER": "3"},
        {"key": "model", "label": "Again", "type": "text", "ORDER": "4"},
    ]

    response = client_for(desk["lead"]).post(
        f"/desks/types/{request_type.pk}/", _type_post(rows, initial=2, name="Old laptop")
    )

    assert response.status_code == 200
    assert [_errors(form) for form in response.context["formset"].forms] == [
        {"choices": ["Give at least two choices."]},
        {},
        {"key": ["Use lower-case letters, digits and underscores, starting with a letter."]},
        {"choices": ["Only choice fields have choices."]},
        {"key": ["Another field already uses the key model."]},
    ]
    assert response.context["formset_errors"] is True
    page = response.content.decode()
    assert "Some fields of the form need another look; they are marked below. Nothing was saved yet." in page
    assert _form_of(request_type) == before
    assert RequestType.objects.get(pk=request_type.pk).assignment == "manual"
    assert "<h1>Request type: New laptop</h1>" in page


def test_add_another_field_shows_one_more_row_and_saves_nothing(desk: dict[str, Any], client_for: ClientFor) -> None:
    request_type = desk["request_type"]
    rows = [
        {"key": "model", "label": "Model", "type": "choice", "choices": "13 inch\n15 inch", "ORDER": "1"},
        {"key": "needed_on", "label": "Needed on", "type": "date", "ORDER": "2"},
        {"key": "colour", "label": "Colour", "type": "text", "ORDER": "3"},
    ]

    response = client_for(desk["lead"]).post(
        f"/desks/types/{request_type.pk}/", _type_post(rows, initial=2) | {"add_field": "1"}
    )

    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 4
    assert response.context["formset"].forms[2]["key"].value() == "colour"
    assert [form.errors for form in response.context["formset"].forms] == [{}, {}, {}, {}]
    assert response.context["formset_errors"] is False
    assert [key for key, *_rest in _form_of(request_type)] == ["model", "needed_on"]


def test_a_request_type_name_must_be_unique_in_its_service(desk: dict[str, Any], client_for: ClientFor) -> None:
    response = client_for(desk["lead"]).post(
        f"/desks/services/{desk['service'].pk}/types/new/", _type_post([], name="new LAPTOP")
    )

    assert _errors(response.context["form"]) == {"name": ["This service already has a request type called new LAPTOP."]}
    assert RequestType.objects.count() == 1


# --- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent", "employee", "sales_lead"])
def test_non_admins_cannot_edit_the_catalog(desk: dict[str, Any], client_for: ClientFor, who: str) -> None:
    client = client_for(make_sales_lead(desk) if who == "sales_lead" else desk[who])
    service, request_type = desk["service"], desk["request_type"]
    before = (_form_of(request_type), list(Service.objects.values_list("name", "is_active")))

    answers = [
        client.get(f"/desks/{desk['desk'].pk}/services/new/").status_code,
        client.get(f"/desks/services/{service.pk}/").status_code,
        client.get(f"/desks/types/{request_type.pk}/").status_code,
        client.post(f"/desks/{desk['desk'].pk}/services/new/", _service_post()).status_code,
        client.post(f"/desks/services/{service.pk}/", _service_post(name="Mine")).status_code,
        client.post(f"/desks/services/{service.pk}/types/new/", _type_post([], name="Mine")).status_code,
        client.post(f"/desks/types/{request_type.pk}/", _type_post([], initial=0, name="Mine")).status_code,
    ]

    assert answers == [403] * 7
    assert (_form_of(request_type), list(Service.objects.values_list("name", "is_active"))) == before
    assert RequestType.objects.count() == 1


def test_unknown_services_and_types_are_not_found(desk: dict[str, Any], client_for: ClientFor) -> None:
    client = client_for(desk["lead"])

    assert [client.get(url).status_code for url in ("/desks/services/999999/", "/desks/types/999999/")] == [404, 404]


# --- query counts ---------------------------------------------------------------------------------


def test_query_counts_of_the_service_and_form_editors(desk: dict[str, Any], client_for: ClientFor) -> None:
    service, request_type = desk["service"], desk["request_type"]
    urls = [f"/desks/services/{service.pk}/", f"/desks/types/{request_type.pk}/"]
    small = [_count(client_for(desk["lead"]), url) for url in urls]
    lead = desk["lead"].user
    for number in range(6):
        services.request_type_create(actor=lead, service=service, name=f"Kind {number}")
    services.service_update(actor=lead, service=service, audience="units", audience_units=[desk["sales"], desk["it"]])
    services.request_type_update(
        actor=lead,
        request_type=request_type,
        fields=[{"key": f"f{number}", "label": f"F{number}", "type": "text"} for number in range(12)],
    )
    large = [_count(client_for(desk["lead"]), url) for url in urls]

    assert (small, large) == ([SERVICE_QUERIES, TYPE_QUERIES], [SERVICE_QUERIES, TYPE_QUERIES])


SERVICE_QUERIES = 13
TYPE_QUERIES = 10
