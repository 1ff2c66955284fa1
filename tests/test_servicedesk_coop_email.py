"""Cooperation notifications by e-mail, through a real SMTP server on the loopback interface: a
person who prefers e-mail gets each one as a message; an in-app person only the inbox copy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from insideout.notifications.models import Notification
from insideout.people import services as people
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import services
from insideout.servicedesk.tests.factories import request_create

MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_kept_promise_reaches_its_recipient_by_mail(
    desk: dict[str, Any], smtp_inbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    eve, mo = desk["employee"], desk["manager"]
    with django_capture_on_commit_callbacks(execute=True):
        commitment = services.commitment_create(
            actor=eve.user,
            to_id=mo.pk,
            title="Send the Q3 figures",
            due_at=MONDAY_10 + timedelta(days=1),
            now=MONDAY_10,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.commitment_done(actor=eve.user, commitment=commitment, now=MONDAY_10 + timedelta(hours=1))

    messages = smtp_inbox.wait_for(2)
    # Mo is in Berlin: 09:00 UTC the next day is 10:00 there.
    assert [(to, message["Subject"]) for to, message in messages] == [
        ([mo.user.email], "Eve Employee commits to Tue 24 Nov 2026, 10:00"),
        ([mo.user.email], "Promise kept: Send the Q3 figures"),
    ]


def test_the_rating_request_and_the_thanks_go_by_each_person_s_channel(
    desk: dict[str, Any], smtp_inbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    eve, sam, lena = desk["employee"], desk["agent"], desk["lead"]
    people.profile_update(profile=sam.profile, actor=sam.user, preferred_channel="in_app")
    request = request_create(requester=eve, request_type=desk["request_type"])
    with django_capture_on_commit_callbacks(execute=True):
        desk_services.request_transition(actor=sam.user, request=request, status="resolved")
    with django_capture_on_commit_callbacks(execute=True):
        services.thanks_send(actor=eve.user, request=request, to=[sam.pk], message="You saved my Monday!")

    messages = smtp_inbox.wait_for(3)
    assert sorted((to[0], message["Subject"]) for to, message in messages) == sorted(
        [
            (eve.user.email, "IT-1 is resolved"),
            (eve.user.email, "How did IT do with IT-1?"),
            (lena.user.email, "Eve Employee thanked Sam Agent"),  # Sam's manager
        ]
    )
    thanks = Notification.objects.get(recipient=sam.user, kind="servicedesk.thanks")
    assert (thanks.title, thanks.emailed_at) == ("Eve Employee thanks you", None)


def test_the_review_reminder_brings_the_adherence_report_by_mail(
    desk: dict[str, Any], smtp_inbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import date

    from insideout.servicedesk.cooperation import agreements

    lena, mo, sam, eve = desk["lead"], desk["manager"], desk["agent"], desk["employee"]
    people.unit_update(unit=desk["sales"], lead=mo)
    for person in (lena, mo, sam):
        people.profile_update(profile=person.profile, actor=person.user, preferred_channel="in_app")
    agreement = agreements.agreement_create(
        actor=lena.user,
        provider_id=desk["it"].pk,
        consumer_id=desk["sales"].pk,
        title="IT for Sales",
        terms=agreements.TermsInput(
            services=[desk["service"].pk],
            provider_contact=sam.pk,
            consumer_contact=eve.pk,
            starts_on=date(2026, 11, 23),
            review_on=date(2026, 12, 10),
        ),
        propose=True,
        now=MONDAY_10,
    )
    agreements.agreement_accept(actor=mo.user, agreement=agreement, now=MONDAY_10)
    request_create(requester=eve, request_type=desk["request_type"], now=MONDAY_10 + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert agreements.agreements_sweep(now=MONDAY_10 + timedelta(days=3)).reminded == 1

    [(to, message)] = smtp_inbox.wait_for(1)  # Eve, the consumer's contact, prefers e-mail
    assert to == [eve.user.email]
    assert message["Subject"] == "Agreement review on 10 Dec 2026: IT for Sales"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Requests under the agreement: 1 (1 open)." in body
    assert "Resolution: 0 met, 0 breached, 1 running" in body
    assert Notification.objects.filter(recipient=lena.user, kind="servicedesk.agreement_review_due").count() == 1
