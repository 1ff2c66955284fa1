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
