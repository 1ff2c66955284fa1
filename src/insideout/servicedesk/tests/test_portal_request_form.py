"""The request form: built from the type's fields, filed through the service, errors beside their inputs."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from insideout.core.models import Event
from insideout.people import services as people_services
from insideout.servicedesk import services
from insideout.servicedesk.models import Attachment, Request
from insideout.servicedesk.views import portal

FIELDS = [
    {"key": "title", "label": "Title", "type": "text", "required": True},
    {"key": "details", "label": "Details", "type": "long_text", "help_text": "What it is for."},
    {"key": "model", "label": "Model", "type": "choice", "required": True, "choices": ["13 inch", "15 inch"]},
    {"key": "extras", "label": "Extras", "type": "multi_choice", "choices": ["Dock", "Mouse", "Bag"]},
    {"key": "needed_on", "label": "Needed on", "type": "date"},
    {"key": "budget", "label": "Budget", "type": "number"},
    {"key": "colleague", "label": "Colleague", "type": "person", "required": True},
    {"key": "quote", "label": "Quote", "type": "file", "required": True},
]


@pytest.fixture
def form(desk: dict[str, Any]) -> dict[str, Any]:
    """The desk plus a request type whose form has one field of every type."""
    request_type = services.request_type_create(
        actor=desk["lead"].user, service=desk["service"], name="Special laptop", fields=FIELDS
    )
    return {**desk, "special": request_type, "url": f"/services/types/{request_type.pk}/new/"}


def pdf(name: str = "quote.pdf", size: int = 100) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%" * size, content_type="application/pdf")


def valid(form: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "subject": "A travel laptop",
        "description": "For the **trade fair**.",
        "priority": "P2",
        "field_title": "Light and small",
        "field_details": "Two weeks in Lisbon.",
        "field_model": "13 inch",
        "field_extras": ["Bag", "Dock"],
        "field_needed_on": "2026-12-01",
        "field_budget": "1200",
        "field_colleague": str(form["agent"].pk),
        "field_quote": pdf(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def errors_of(response: Any, field: str) -> list[str]:
    """The messages shown next to one input."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', response.content.decode(), re.S)
    return [html_lib.unescape(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1))] if match else []


def nothing_filed() -> bool:
    return (
        not Request.objects.exists()
        and not Attachment.objects.exists()
        and not Event.objects.filter(type="servicedesk.request_opened").exists()
    )


def test_the_form_shows_every_field_with_its_marks_and_help(form: dict[str, Any], client_for: Any) -> None:
    response = client_for(form["employee"]).get(form["url"])
    page = response.content.decode()

    assert response.status_code == 200
    labels = [
        re.sub(r"<[^>]+>", "", label).strip()
        for label in re.findall(r"<(?:label for=\"id_[a-z_]+\"|legend)>(.*?)</(?:label|legend)>", page, re.S)
    ]
    assert labels == [
        "Subject (required)",
        "Title (required)",
        "Details",
        "Model (required)",
        "Extras",
        "Needed on",
        "Budget",
        "Colleague (required)",
        "Quote (required)",
        "Description",
        "Priority",
        "Needed by (optional)",
        "Why then",
        "On behalf of (optional)",
        "Attachments (optional)",
    ]
    assert '<div class="help" id="id_field_details_helptext">What it is for.</div>' in page
    assert '<input type="date" name="field_needed_on" id="id_field_needed_on">' in page
    assert 'type="number" name="field_budget"' in page
    assert '<input type="checkbox" name="field_extras" value="Dock" id="id_field_extras_0">' in page
    assert '<input type="file" name="field_quote"' in page
    assert (
        '<div class="help" id="id_attachments_helptext">Up to 10 MB per file. Allowed types: csv, docx, eml, gif, '
        "jpeg, jpg, log, md, msg, odp, ods, odt, pdf, png, pptx, txt, webp, xlsx, zip.</div>"
    ) in page
    assert (
        '<strong>P1 — critical</strong> <span class="muted">Work has stopped for many people, or money or safety '
        "is at stake.</span>"
    ) in page
    assert 'value="P3" id="id_priority_2" checked' in page  # the type's default
    colleagues = re.search(r'<select name="field_colleague".*?</select>', page, re.S)
    assert colleagues is not None
    assert re.findall(r">([^<]+)</option>", colleagues.group(0)) == [
        "Choose a person…",
        "Sam Agent",
        "Eve Employee",
        "Lena Lead",
        "Mo Manager",
        "Pat Ops",
    ]


def test_filing_with_every_field_type_goes_to_the_request_page(form: dict[str, Any], client_for: Any) -> None:
    client = client_for(form["employee"])

    response = client.post(
        form["url"], valid(form, attachments=[pdf("photo.png", 10), SimpleUploadedFile("notes.txt", b"hello")])
    )

    assert response.status_code == 302
    assert response["Location"] == "/requests/IT-1/"
    request = Request.objects.get()
    quote = Attachment.objects.get(name="quote.pdf")
    assert request.key == "IT-1"
    assert (request.subject, request.description, request.priority) == (
        "A travel laptop",
        "For the **trade fair**.",
        "P2",
    )
    assert request.requester == form["employee"]
    assert request.on_behalf_of is None
    assert request.field_values == {
        "title": "Light and small",
        "details": "Two weeks in Lisbon.",
        "model": "13 inch",
        "extras": ["Dock", "Bag"],
        "needed_on": "2026-12-01",
        "budget": 1200,
        "colleague": form["agent"].pk,
        "quote": {"attachment": quote.pk, "name": "quote.pdf"},
    }
    assert sorted(Attachment.objects.values_list("name", flat=True)) == ["notes.txt", "photo.png", "quote.pdf"]
    followed = client.get(response["Location"])
    assert "Your request IT-1 is filed. You can follow it here." in followed.content.decode()


def test_optional_fields_may_stay_empty(form: dict[str, Any], client_for: Any) -> None:
    data = valid(
        form,
        description="",
        field_details="",
        field_extras=None,
        field_needed_on="",
        field_budget="",
        priority=None,
    )

    response = client_for(form["employee"]).post(form["url"], data)

    assert response.status_code == 302
    request = Request.objects.get()
    assert request.priority == "P3"
    assert set(request.field_values) == {"title", "model", "colleague", "quote"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"subject": "  "}, "subject", "This field is required."),
        ({"subject": "x" * 201}, "subject", "Enter at most 200 characters."),
        ({"field_title": None}, "field_title", "This field is required."),
        ({"field_title": "two\nlines"}, "field_title", "Enter a single line."),
        ({"field_details": "x" * 10_001}, "field_details", "Enter at most 10000 characters."),
        ({"field_model": "17 inch"}, "field_model", "Choose one of: 13 inch, 15 inch."),
        ({"field_model": ""}, "field_model", "This field is required."),
        ({"field_extras": ["Dock", "Cape"]}, "field_extras", "Not a choice: Cape. Choose from: Dock, Mouse, Bag."),
        ({"field_needed_on": "tomorrow"}, "field_needed_on", "Enter a date as YYYY-MM-DD."),
        ({"field_budget": "lots"}, "field_budget", "Enter a number."),
        ({"field_colleague": ""}, "field_colleague", "This field is required."),
        ({"field_colleague": "999999"}, "field_colleague", "No active person has this id."),
        ({"field_colleague": "Sam"}, "field_colleague", "Choose a person."),
        ({"field_quote": None}, "field_quote", "Attach a file."),
        ({"on_behalf_of": "999999"}, "on_behalf_of", "No active person has this id."),
        ({"on_behalf_of": "Mo"}, "on_behalf_of", "No active person has this id."),
        ({"priority": "P9"}, "priority", "Select a valid choice. P9 is not one of the available choices."),
    ],
)
def test_each_invalid_answer_is_shown_beside_its_input_and_nothing_is_filed(
    form: dict[str, Any], client_for: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    response = client_for(form["employee"]).post(form["url"], valid(form, **changes))

    assert response.status_code == 200
    assert errors_of(response, field) == [message]
    assert "Some answers need another look; they are marked below. Nothing was sent yet." in response.content.decode()
    assert nothing_filed()


def test_all_problems_are_shown_at_once_and_the_answers_are_kept(form: dict[str, Any], client_for: Any) -> None:
    data = valid(form, subject="", field_model="17 inch", field_budget="lots", field_title="Keep me")

    response = client_for(form["employee"]).post(form["url"], data)
    page = response.content.decode()

    assert (
        errors_of(response, "subject"),
        errors_of(response, "field_model"),
        errors_of(response, "field_budget"),
    ) == (
        ["This field is required."],
        ["Choose one of: 13 inch, 15 inch."],
        ["Enter a number."],
    )
    assert 'name="field_title" value="Keep me"' in page
    assert '<option value="Dock" selected>' not in page  # checkboxes, not options
    assert 'value="Dock" id="id_field_extras_0" checked' in page
    assert "Choose your files again: browsers forget them." in page
    assert nothing_filed()


def test_a_request_on_behalf_of_a_colleague(form: dict[str, Any], client_for: Any) -> None:
    response = client_for(form["employee"]).post(form["url"], valid(form, on_behalf_of=str(form["manager"].pk)))

    assert response.status_code == 302
    request = Request.objects.get()
    assert (request.requester, request.on_behalf_of) == (form["employee"], form["manager"])


def test_on_behalf_of_oneself_is_simply_for_oneself(form: dict[str, Any], client_for: Any) -> None:
    response = client_for(form["employee"]).post(form["url"], valid(form, on_behalf_of=str(form["employee"].pk)))

    assert response.status_code == 302
    assert Request.objects.get().on_behalf_of is None


def test_on_behalf_of_someone_who_left_is_refused(form: dict[str, Any], client_for: Any) -> None:
    people_services.employee_deactivate(employee=form["manager"], actor=form["admin"].user)

    response = client_for(form["employee"]).post(form["url"], valid(form, on_behalf_of=str(form["manager"].pk)))

    assert errors_of(response, "on_behalf_of") == ["No active person has this id."]
    assert nothing_filed()


@override_settings(SERVICEDESK_ATTACHMENT_MAX_BYTES=1_000_000)
def test_an_attachment_too_big_is_refused(form: dict[str, Any], client_for: Any) -> None:
    client = client_for(form["employee"])

    response = client.post(form["url"], valid(form, attachments=[pdf("small.pdf"), pdf("big.pdf", 1_000_001)]))

    assert errors_of(response, "attachments") == ["“big.pdf” is larger than 1 MB."]
    assert "Up to 1 MB per file." in client.get(form["url"]).content.decode()
    assert nothing_filed()


def test_an_attachment_of_a_wrong_type_is_refused(form: dict[str, Any], client_for: Any) -> None:
    response = client_for(form["employee"]).post(
        form["url"], valid(form, attachments=[SimpleUploadedFile("setup.exe", b"MZ")], field_quote=pdf("quote.sh"))
    )

    allowed = "csv, docx, eml, gif, jpeg, jpg, log, md, msg, odp, ods, odt, pdf, png, pptx, txt, webp, xlsx, zip"
    assert errors_of(response, "attachments") == [
        f"“setup.exe”: files of this type cannot be attached. Allowed: {allowed}."
    ]
    assert errors_of(response, "field_quote") == [
        f"“quote.sh”: files of this type cannot be attached. Allowed: {allowed}."
    ]
    assert nothing_filed()


def test_an_unpublished_type_has_no_form(form: dict[str, Any], client_for: Any) -> None:
    services.request_type_update(actor=form["lead"].user, request_type=form["special"], is_active=False)
    client = client_for(form["employee"])

    assert client.get(form["url"]).status_code == 404
    assert client.post(form["url"], valid(form)).status_code == 404
    assert nothing_filed()


def test_an_unknown_type_is_404(form: dict[str, Any], client_for: Any) -> None:
    assert client_for(form["employee"]).get("/services/types/999999/new/").status_code == 404


def test_a_larger_organisation_searches_for_people(
    form: dict[str, Any], client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(portal, "PICK_LIST_LIMIT", 3)
    client = client_for(form["employee"])

    page = client.get(form["url"]).content.decode()
    options = client.get("/services/people/?people_q=ag").content.decode()
    nobody = client.get("/services/people/?people_q=zebra").content.decode()
    kept = client.post(form["url"], valid(form, subject="", field_colleague=str(form["manager"].pk)))

    select = re.search(r'<select name="field_colleague".*?</select>', page, re.S)
    assert select is not None
    assert re.findall(r">([^<]+)</option>", select.group(0)) == ["Choose a person…"]
    assert 'id="id_field_colleague_search" name="people_q"' in page
    assert 'hx-target="#id_field_colleague"' in page
    assert re.findall(r">([^<]+)</option>", options) == [
        "2 matches — choose",
        f"Sam Agent ({form['agent'].user.email})",
        f"Mo Manager ({form['manager'].user.email})",
    ]
    assert re.findall(r">([^<]+)</option>", nobody) == ["Nobody matches “zebra”"]
    # After an error the chosen person is still chosen.
    chosen = re.search(r'<select name="field_colleague".*?</select>', kept.content.decode(), re.S)
    assert chosen is not None
    assert f'<option value="{form["manager"].pk}" selected>Mo Manager</option>' in chosen.group(0)
