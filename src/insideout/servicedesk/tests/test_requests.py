"""Requests through the services: numbering, validation, transitions, replies, clocks and the sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.core.models import Event
from insideout.notifications.models import Notification
from insideout.servicedesk import clockstore, selectors, services
from insideout.servicedesk.models import Request, RequestClock, SlaFlag
from insideout.servicedesk.tests.factories import request_create

# Monday 23 November 2026, 10:00 in Berlin (09:00 UTC): the desk is open.
MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _clocks(request: Request) -> dict[str, RequestClock]:
    return {clock.metric: clock for clock in RequestClock.objects.filter(request=request)}


def test_requests_are_numbered_per_desk(desk: dict[str, Any]) -> None:
    first = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    second = request_create(requester=desk["manager"], request_type=desk["request_type"], now=MONDAY_10)
    assert (first.key, second.key) == ("IT-1", "IT-2")
    assert first.status == "new"
    assert first.priority == "P3"


def test_invalid_fields_are_reported_by_name_and_nothing_is_stored(desk: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.request_create(
            actor=desk["employee"].user,
            request_type=desk["request_type"],
            subject="",
            fields={"model": "17 inch", "needed_on": "tomorrow", "colour": "red"},
        )
    errors = excinfo.value.message_dict
    assert set(errors) == {"subject", "fields.model", "fields.needed_on", "fields.colour"}
    assert "13 inch" in errors["fields.model"][0]
    assert not Request.objects.exists()
    assert not Event.objects.filter(type="servicedesk.request_opened").exists()


def test_description_is_sanitised_markdown(desk: dict[str, Any]) -> None:
    request = request_create(
        requester=desk["employee"],
        request_type=desk["request_type"],
        description="**soon** <script>alert(1)</script> [x](javascript:alert(1))",
    )
    assert "<strong>soon</strong>" in request.description_html
    assert "<script>" not in request.description_html
    assert "javascript:" not in request.description_html.replace("[x](javascript:alert(1))", "")


def test_clocks_start_on_the_desk_calendar(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    clocks = _clocks(request)
    # P3: first response 4 business hours; 10:00 + 2.5 h to the lunch break, then 13:30 + 1.5 h = 15:00 Berlin.
    assert clocks["first_response"].due_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert clocks["first_response"].state == "running"
    # Resolution: 24 business hours of 7 per day → Thursday 13:30 + … ; replay gives the same.
    history = clockstore.history_of(request.pk)
    replayed = clockstore.replay(
        metric="resolution",
        standard=clocks["resolution"].standard,
        calendar_id=clocks["resolution"].calendar_id,
        history=history,
        now=MONDAY_10,
    )
    assert replayed.due_at == clocks["resolution"].due_at
    request.refresh_from_db()
    assert request.next_due_at == clocks["first_response"].due_at


def test_agent_reply_meets_first_response_and_waiting_pauses(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    agent = desk["agent"].user
    services.request_comment(actor=agent, request=request, body="On it.", now=MONDAY_10 + timedelta(hours=1))
    clocks = _clocks(request)
    assert clocks["first_response"].state == "met"
    assert clocks["first_response"].met_at == MONDAY_10 + timedelta(hours=1)

    services.request_transition(
        actor=agent, request=request, status="waiting_on_requester", now=MONDAY_10 + timedelta(hours=2)
    )
    paused = _clocks(request)["resolution"]
    assert paused.state == "paused"
    assert paused.due_at is None
    assert not paused.running
    request.refresh_from_db()
    assert request.next_due_at is None

    # The requester's reply resumes the clock and puts the request back in progress.
    services.request_comment(
        actor=desk["employee"].user, request=request, body="Here it is.", now=MONDAY_10 + timedelta(days=1)
    )
    request.refresh_from_db()
    assert request.status == "in_progress"
    resumed = _clocks(request)["resolution"]
    assert resumed.state == "running"
    assert resumed.elapsed_seconds == pytest.approx(2 * 3600)


def test_resolve_without_reply_counts_as_response_and_reopen_resumes(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    agent = desk["agent"].user
    services.request_transition(actor=agent, request=request, status="resolved", now=MONDAY_10 + timedelta(hours=1))
    clocks = _clocks(request)
    assert clocks["first_response"].state == "met"
    assert clocks["resolution"].state == "met"
    request.refresh_from_db()
    assert request.auto_close_at is not None
    assert request.sla_flag == ""

    services.request_transition(
        actor=desk["employee"].user, request=request, status="in_progress", now=MONDAY_10 + timedelta(hours=2)
    )
    resolution = _clocks(request)["resolution"]
    assert resolution.state == "running"
    assert resolution.elapsed_seconds == pytest.approx(3600)
    request.refresh_from_db()
    assert request.auto_close_at is None


def test_impossible_transition_is_a_conflict_and_changes_nothing(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    events = Event.objects.count()
    with pytest.raises(Conflict):
        services.request_transition(actor=desk["agent"].user, request=request, status="closed")
    with pytest.raises(Forbidden):
        services.request_transition(actor=desk["employee"].user, request=request, status="resolved")
    request.refresh_from_db()
    assert request.status == "new"
    assert Event.objects.count() == events


def test_internal_notes_are_for_agents_only(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    with pytest.raises(Forbidden):
        services.request_comment(actor=desk["employee"].user, request=request, body="psst", internal=True)
    services.request_comment(
        actor=desk["agent"].user, request=request, body="check warranty", internal=True, now=MONDAY_10
    )
    assert not selectors.request_comments_for(actor=desk["employee"].user, request=request).exists()
    assert selectors.request_comments_for(actor=desk["agent"].user, request=request).count() == 1
    # An internal note is not a response.
    assert _clocks(request)["first_response"].state == "running"


def test_visibility(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"])
    assert selectors.request_get_for(actor=desk["agent"].user, request_id=request.pk) == request
    assert selectors.request_get_for(actor=desk["lead"].user, request_id=request.pk) == request
    with pytest.raises(NotFound):
        selectors.request_get_for(actor=desk["manager"].user, request_id=request.pk)
    services.request_watch(actor=desk["employee"].user, request=request, employee_id=desk["manager"].pk)
    assert selectors.request_get_for(actor=desk["manager"].user, request_id=request.pk) == request


def test_assignment_rules(desk: dict[str, Any]) -> None:
    from insideout.people.tests.factories import EmployeeFactory

    second = EmployeeFactory(username="ada", unit=desk["helpdesk"])
    services.request_type_update(actor=desk["lead"].user, request_type=desk["request_type"], assignment="round_robin")
    desk["request_type"].refresh_from_db()
    got = [request_create(requester=desk["employee"], request_type=desk["request_type"]).assignee_id for _ in range(4)]
    agents = sorted([desk["lead"].pk, desk["agent"].pk, second.pk])
    assert got == [agents[0], agents[1], agents[2], agents[0]]

    services.request_type_update(actor=desk["lead"].user, request_type=desk["request_type"], assignment="least_loaded")
    desk["request_type"].refresh_from_db()
    nxt = request_create(requester=desk["employee"], request_type=desk["request_type"])
    assert nxt.assignee_id in {agents[1], agents[2]}  # agents[0] has two open requests

    with pytest.raises(ValidationError):
        services.request_assign(actor=desk["agent"].user, request=nxt, assignee_id=desk["manager"].pk)
    with pytest.raises(Forbidden):
        services.request_assign(actor=desk["employee"].user, request=nxt, assignee_id=desk["agent"].pk)


def test_sweep_warns_once_at_risk_then_breach(desk: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    services.request_assign(actor=desk["lead"].user, request=request, assignee_id=desk["agent"].pk, now=MONDAY_10)
    first = _clocks(request)["first_response"]
    # Nothing to do yet.
    assert services.clocks_sweep(now=MONDAY_10 + timedelta(minutes=5)) == services.SweepResult(0, 0, 0)

    at_risk_time = first.at_risk_at
    assert at_risk_time is not None
    with django_capture_on_commit_callbacks(execute=True):
        result = services.clocks_sweep(now=at_risk_time)
    assert result.at_risk == 1
    assert result.breached == 0
    assert services.clocks_sweep(now=at_risk_time + timedelta(minutes=1)).at_risk == 0  # once only
    request.refresh_from_db()
    assert request.sla_flag == SlaFlag.AT_RISK
    assert Notification.objects.filter(recipient=desk["agent"].user, kind="servicedesk.at_risk").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        result = services.clocks_sweep(now=first.due_at + timedelta(seconds=1))
    assert result.breached == 1
    request.refresh_from_db()
    assert request.sla_flag == SlaFlag.BREACHED
    breached = _clocks(request)["first_response"]
    assert breached.state == "breached"
    assert breached.breached_at == first.due_at
    assert Notification.objects.filter(recipient=desk["lead"].user, kind="servicedesk.breached").count() == 1
    assert Event.objects.filter(type="servicedesk.clock_breached", subject_id=str(request.pk)).count() == 1

    # Replaying the history at the same instant gives the stored projection.
    replayed = clockstore.replay(
        metric="first_response",
        standard=breached.standard,
        calendar_id=breached.calendar_id,
        history=clockstore.history_of(request.pk),
        now=first.due_at + timedelta(seconds=1),
    )
    assert (replayed.state, replayed.due_at, replayed.breached_at) == (
        "breached",
        breached.due_at,
        breached.breached_at,
    )
    assert mail.outbox  # people prefer e-mail by default


def test_standard_edit_recomputes_open_clocks_only(
    desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    open_request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    done = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    services.request_transition(actor=desk["agent"].user, request=done, status="resolved", now=MONDAY_10)
    before_done = _clocks(done)
    with django_capture_on_commit_callbacks(execute=True):
        services.standard_set(
            actor=desk["lead"].user,
            request_type=desk["request_type"],
            priority="P3",
            values=services.StandardInput(first_response_minutes=60, resolution_minutes=600),
        )
    after_open = _clocks(open_request)
    assert after_open["first_response"].target_seconds == 3600
    assert after_open["first_response"].standard.version == 2
    after_done = _clocks(done)
    for metric in ("first_response", "resolution"):
        assert after_done[metric].standard_id == before_done[metric].standard_id
        assert after_done[metric].due_at == before_done[metric].due_at


def test_auto_close_after_quiet_business_days(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"], now=MONDAY_10)
    services.request_transition(actor=desk["agent"].user, request=request, status="resolved", now=MONDAY_10)
    request.refresh_from_db()
    # Five business days after Monday: the following Monday at the same local time.
    assert request.auto_close_at == MONDAY_10 + timedelta(days=7)
    assert services.requests_auto_close(now=MONDAY_10 + timedelta(days=6)) == 0
    assert services.requests_auto_close(now=MONDAY_10 + timedelta(days=7)) == 1
    request.refresh_from_db()
    assert request.status == "closed"


def test_attachments_are_checked(desk: dict[str, Any]) -> None:
    request = request_create(requester=desk["employee"], request_type=desk["request_type"])
    ok = services.attachment_add(
        actor=desk["employee"].user, request=request, upload=SimpleUploadedFile("screen.png", b"\x89PNG....")
    )
    assert ok.size == 8
    assert ok.file.name.endswith("screen.png")
    with pytest.raises(ValidationError):
        services.attachment_add(
            actor=desk["employee"].user, request=request, upload=SimpleUploadedFile("run.exe", b"MZ")
        )
