"""The personalised thank-you e-mail of a recognition, through a real SMTP server on the loopback
interface: ticked on the give form, each recipient gets one message in their own language, plain
text and HTML, with their name, the message, the values and a link; unticked, nobody gets one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format

from insideout.people import services as people
from insideout.recognition import catalog, services, thanks
from insideout.recognition.models import Recognition


def thank_yous(inbox: Any, count: int) -> dict[tuple[str, ...], Any]:
    """The thank-you e-mails among what arrived (the notifications of the recognition arrive too):
    only a thank-you has the giver as Reply-To, whatever language its subject is in."""
    inbox.wait_for(count)
    return {tuple(to): message for to, message in inbox.messages if message["Reply-To"]}


def _give(org: dict[str, Any], client_for: Any, **extra: str) -> Any:
    values = [catalog.value_create(actor=org["admin"].user, name=name) for name in ("Be helpful", "Stay curious")]
    data = {
        "to": [org["agent"].pk, org["lead"].pk],
        "values": [value.pk for value in values],
        "message": "You rebuilt the VPN overnight <3",
        "points": "5",
        **extra,
    }
    return client_for(org["employee"]).post("/recognition/give/", data)


def test_each_recipient_gets_a_thank_you_in_their_language(
    org: dict[str, Any], client_for: Any, smtp_inbox: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SITE_URL = "https://insideout.example.org"
    lena = org["lead"]
    people.profile_update(profile=lena.profile, actor=lena.user, language="de")

    with django_capture_on_commit_callbacks(execute=True):
        response = _give(org, client_for, email_thanks="on")

    assert response.status_code == 302
    recognition = Recognition.objects.get()
    day = timezone.localtime(recognition.created_at)
    # Two thank-yous, and the notifications of the recognition (Sam's manager is Lena: one for her).
    messages = thank_yous(smtp_inbox, 4)
    assert set(messages) == {(org["agent"].user.email,), (lena.user.email,)}
    sam_mail = messages[(org["agent"].user.email,)]
    assert sam_mail["Subject"] == "Thank you from Eve Employee"
    assert sam_mail["Reply-To"] == org["employee"].user.email
    text = sam_mail.get_body(preferencelist=("plain",)).get_content()
    assert text.splitlines() == [
        "Dear Sam Agent,",
        "",
        f"On {date_format(day.date(), 'DATE_FORMAT')}, Eve Employee recognised you and wrote:",
        "",
        "You rebuilt the VPN overnight <3",
        "",
        "The values it showed: Be helpful, Stay curious",
        "It comes with 5 points for you.",
        "",
        f"See it in InsideOut: https://insideout.example.org/recognition/{recognition.pk}/",
        "",
        "Thank you,",
        "Eve Employee",
    ]
    html = sam_mail.get_body(preferencelist=("html",)).get_content()
    assert "<p>Dear Sam Agent,</p>" in html
    assert "You rebuilt the VPN overnight &lt;3" in html  # the message is text, never markup
    assert f'href="https://insideout.example.org/recognition/{recognition.pk}/"' in html
    # Lena reads German: the date is written the German way.
    lena_text = messages[(lena.user.email,)].get_body(preferencelist=("plain",)).get_content()
    lena_mail = messages[(lena.user.email,)]
    assert lena_mail["Subject"] == "Ein Dankeschön von Eve Employee"
    assert "Hallo Lena Lead," in lena_text
    with translation.override("de"):
        assert f"Am {date_format(day.date(), 'DATE_FORMAT')} hat Eve Employee Ihnen Anerkennung" in lena_text
    assert date_format(day.date(), "DATE_FORMAT") not in lena_text


def test_no_thank_you_is_sent_unless_asked(
    org: dict[str, Any], client_for: Any, smtp_inbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _give(org, client_for)

    assert response.status_code == 302
    assert Recognition.objects.count() == 1
    assert thank_yous(smtp_inbox, 3) == {}  # the notifications only


def test_a_refused_recognition_sends_nothing(org: dict[str, Any], client_for: Any, smtp_inbox: Any) -> None:
    response = _give(org, client_for, email_thanks="on", message="")

    assert response.status_code == 200
    assert response.context["form"]["email_thanks"].value() is True  # still ticked, to send again
    assert not Recognition.objects.exists()
    assert smtp_inbox.wait_for(1, timeout=0.5) == []


def test_the_thank_you_skips_a_recipient_who_has_left(org: dict[str, Any], smtp_inbox: Any) -> None:
    eve, sam, lena = org["employee"], org["agent"], org["lead"]
    value = catalog.value_create(actor=org["admin"].user, name="Be helpful")
    recognition = services.recognition_give(
        actor=eve.user, to=[sam.pk, lena.pk], message="Thanks", values=[value.pk], now=datetime(2026, 12, 3, tzinfo=UTC)
    )
    people.employee_deactivate(employee=lena)

    assert thanks.thanks_email_send(recognition_id=recognition.pk) == [sam.user.email]
    assert [to for to, _message in smtp_inbox.wait_for(1)] == [[sam.user.email]]


def test_the_api_sends_the_thank_you_when_asked_once_even_when_retried(
    org: dict[str, Any], api: Any, token_for: Any, smtp_inbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    value = catalog.value_create(actor=org["admin"].user, name="Be helpful")
    token = token_for(org["employee"], "write")
    body = {"to": [org["agent"].pk], "message": "Thanks for the VPN", "values": [value.pk], "email_thanks": True}

    for _attempt in range(2):  # a retry with the same key answers the first response and sends nothing more
        with django_capture_on_commit_callbacks(execute=True):
            response = api("post", "/api/v1/recognitions", token=token, json=body, HTTP_IDEMPOTENCY_KEY="thanks-1")
        assert response.status_code == 201, response.json()

    assert Recognition.objects.count() == 1
    smtp_inbox.wait_for(99, timeout=1.0)  # whatever arrives: the notifications and the thank-you
    sent = [to for to, message in smtp_inbox.messages if message["Reply-To"]]
    assert sent == [[org["agent"].user.email]]


def test_the_api_sends_no_thank_you_unless_asked(
    org: dict[str, Any], api: Any, token_for: Any, smtp_inbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    value = catalog.value_create(actor=org["admin"].user, name="Be helpful")
    body = {"to": [org["agent"].pk], "message": "Thanks for the VPN", "values": [value.pk]}

    with django_capture_on_commit_callbacks(execute=True):
        response = api("post", "/api/v1/recognitions", token=token_for(org["employee"], "write"), json=body)

    assert response.status_code == 201, response.json()
    assert thank_yous(smtp_inbox, 1) == {}
