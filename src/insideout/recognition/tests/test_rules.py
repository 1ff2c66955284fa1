"""Points by rule: a thank-you on a request grants points to each person thanked once the rule is
on, exactly once however often the handler runs; off by default."""

from __future__ import annotations

from typing import Any

from insideout.core.events import deliver_events
from insideout.core.models import Event, EventDelivery
from insideout.recognition import ledger, selectors
from insideout.recognition.models import LedgerTransaction, PointRule
from insideout.servicedesk import services as desk_services
from insideout.servicedesk.cooperation import services as cooperation
from insideout.servicedesk.tests.factories import request_create


def _thank(desk: dict[str, Any], capture: Any) -> Event:
    eve, sam = desk["employee"], desk["agent"]
    request = request_create(requester=eve, request_type=desk["request_type"])
    desk_services.request_transition(actor=sam.user, request=request, status="resolved")
    with capture(execute=True):
        cooperation.thanks_send(actor=eve.user, request=request, to=[sam.pk], message="Thank you!")
    return Event.objects.get(type="servicedesk.thanks_sent")


def test_thanks_grant_nothing_while_the_rule_is_off(
    desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _thank(desk, django_capture_on_commit_callbacks)
    assert selectors.points_of(employee_id=desk["agent"].pk).earned == 0
    assert not LedgerTransaction.objects.filter(kind="grant").exists()


def test_a_thank_you_grants_points_once(desk: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    PointRule.objects.create(event_type="servicedesk.thanks_sent", points=15, is_active=True)
    event = _thank(desk, django_capture_on_commit_callbacks)
    assert selectors.points_of(employee_id=desk["agent"].pk).earned == 15
    # The delivery log forgotten, the handler runs again: the ledger's reference refuses a second grant.
    EventDelivery.objects.filter(event=event).delete()
    deliver_events([event.pk])
    assert selectors.points_of(employee_id=desk["agent"].pk).earned == 15
    assert LedgerTransaction.objects.filter(kind="grant").count() == 1
    assert ledger.ledger_verify().ok
