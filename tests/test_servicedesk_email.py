"""Service desk notifications by e-mail, through a real SMTP server on the loopback interface.

People who prefer e-mail get each notification as a message with an absolute link to the request;
people who prefer in-app get none. The handlers run after the commit, as in production.
"""

from __future__ import annotations

from typing import Any

import pytest

from insideout.notifications.models import Notification
from insideout.people import services as people
from insideout.servicedesk import services
from insideout.servicedesk.tests.factories import request_create


@pytest.fixture
def site(settings: Any) -> None:
    settings.SITE_URL = "https://insideout.example.org"


def test_a_reply_reaches_the_requester_by_mail_and_an_in_app_agent_only_in_the_app(
    desk: dict[str, Any], smtp_inbox: Any, site: None, django_capture_on_commit_callbacks: Any
) -> None:
    eve, sam, lena = desk["employee"], desk["agent"], desk["lead"]
    for person in (sam, lena):
        people.profile_update(profile=person.profile, actor=person.user, preferred_channel="in_app")
    with django_capture_on_commit_callbacks(execute=True):
        request = request_create(requester=eve, request_type=desk["request_type"], subject="Laptop for Ada")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_assign(actor=lena.user, request=request, assignee_id=sam.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_comment(actor=sam.user, request=request, body="Which colour would Ada like?")

    messages = smtp_inbox.wait_for(2)
    assert [(to, message["Subject"]) for to, message in messages] == [
        ([eve.user.email], "We have received IT-1"),
        ([eve.user.email], "New reply on IT-1"),
    ]
    assert "https://insideout.example.org/requests/IT-1/" in messages[1][1].get_content()
    assert set(Notification.objects.filter(recipient__in=[sam.user, lena.user]).values_list("kind", flat=True)) == {
        "servicedesk.new_unassigned",
        "servicedesk.assigned",
    }
    assert not Notification.objects.filter(emailed_at__isnull=False).exclude(recipient=eve.user).exists()
