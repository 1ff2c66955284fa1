"""The event log: written with the change, delivered after commit, at least once, with an effect once.

Huey runs in immediate mode in tests, so the after-commit task runs as soon as the captured
on-commit callbacks are executed; ``django_capture_on_commit_callbacks(execute=True)`` stands in
for the commit of the transaction that each test runs inside.
"""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from insideout.core import events
from insideout.core.events import MAX_DELIVERY_ATTEMPTS, deliver_events, event_record, handles, redeliver_pending
from insideout.core.models import Event, EventDelivery
from insideout.notifications.models import Notification
from insideout.notifications.services import notification_send
from insideout.people import services
from insideout.people.models import PreferredChannel
from insideout.people.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def _notifications():
    """(recipient username, kind, title) of every notification, in a stable order."""
    return sorted(
        Notification.objects.values_list("recipient__username", "kind", "title"),
    )


def _prefer(person, channel):
    services.profile_update(profile=person.profile, actor=person.user, preferred_channel=channel)


def _settle():
    # Building the organisation recorded events whose delivery never ran (no commit in a test);
    # mark them delivered so that each test sees only its own.
    Event.objects.filter(dispatched_at__isnull=True).update(dispatched_at=timezone.now())


@pytest.fixture
def settled_org(org):
    """The organisation, with the events of building it already delivered."""
    _settle()
    return org


@pytest.fixture
def in_app_only(org):
    """Everyone in the organisation prefers the in-app inbox, so no e-mail is involved."""
    for key in ("lead", "agent", "manager", "employee", "admin"):
        _prefer(org[key], PreferredChannel.IN_APP)
    _settle()
    return org


@pytest.fixture
def subscribe(monkeypatch):
    """Subscribe handlers to a test-only event type for one test: ``subscribe("test.x", func, …)``."""

    def register(event_type, *handlers):
        monkeypatch.setitem(events._subscriptions, event_type, [])
        for handler in handlers:
            handles(event_type)(handler)

    return register


# --- written with the change, delivered after the commit -----------------------------------------


def test_event_is_written_in_the_callers_transaction_and_rolled_back_with_it(
    in_app_only, django_capture_on_commit_callbacks
):
    org = in_app_only
    events_before = Event.objects.count()

    seen_inside = []

    def hire_then_fail():
        with transaction.atomic():
            ghost = EmployeeFactory(username="ghost", unit=org["it"], manager=org["agent"])
            # Visible inside the transaction that made the change…
            seen_inside.append(Event.objects.filter(type=services.EMPLOYEE_JOINED, subject_id=str(ghost.pk)).count())
            seen_inside.append(ghost.pk)
            raise Boom

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        hire_then_fail()

    assert seen_inside[0] == 1
    ghost_pk = seen_inside[1]
    # …and gone with it, together with the delivery it had scheduled.
    assert callbacks == []
    assert Event.objects.count() == events_before
    assert not Event.objects.filter(subject_id=str(ghost_pk), subject_type="people.employee").exists()
    assert Notification.objects.count() == 0
    assert EventDelivery.objects.count() == 0


def test_a_refused_service_call_records_no_event_and_has_no_handler_effect(
    in_app_only, django_capture_on_commit_callbacks
):
    org = in_app_only
    events_before = Event.objects.count()

    # A second "eve": the service refuses the taken username.
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError, match="username"),
    ):
        services.employee_create(
            username="eve",
            email="eve2@example.org",
            first_name="Eve",
            last_name="Again",
            employee_id="E-DUP",
            unit=org["it"],
            manager=org["lead"],
        )

    assert callbacks == []
    assert Event.objects.count() == events_before
    assert Notification.objects.count() == 0


def test_handlers_run_only_after_the_commit(in_app_only, django_capture_on_commit_callbacks):
    org = in_app_only

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        newcomer = EmployeeFactory(
            username="nina", first_name="Nina", last_name="New", unit=org["it"], manager=org["agent"]
        )
        event = Event.objects.get(type=services.EMPLOYEE_JOINED, subject_id=str(newcomer.pk))
        assert event.subject_type == "people.employee"
        assert event.payload == {"unit": org["it"].pk, "manager": org["agent"].pk}
        assert event.dispatched_at is None
        assert Notification.objects.count() == 0

    assert len(callbacks) >= 1
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert event.delivery_attempts == 1
    assert list(EventDelivery.objects.filter(event=event).values_list("handler", flat=True)) == [
        "insideout.notifications.events.notify_arrival"
    ]
    assert _notifications() == [
        ("lena", "people.joined", "Nina New has joined IT"),
        ("sam", "people.joined", "Nina New has joined IT"),
    ]


# --- at least once, effect once -----------------------------------------------------------------


def test_delivering_an_event_twice_runs_its_handlers_once(in_app_only, django_capture_on_commit_callbacks):
    org = in_app_only
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = EmployeeFactory(username="nina", unit=org["it"], manager=org["agent"])
    event = Event.objects.get(type=services.EMPLOYEE_JOINED, subject_id=str(newcomer.pk))
    assert Notification.objects.count() == 2

    assert deliver_events([event.pk]) == 0
    # As if the task had crashed after the handlers' commit but before marking the event.
    Event.objects.filter(pk=event.pk).update(dispatched_at=None)
    assert deliver_events([event.pk]) == 0
    Event.objects.filter(pk=event.pk).update(dispatched_at=None)
    assert redeliver_pending(older_than_seconds=0) == 0

    assert Notification.objects.count() == 2
    assert EventDelivery.objects.filter(event=event).count() == 1
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_the_sweep_delivers_events_whose_task_never_ran_and_only_once(in_app_only, django_capture_on_commit_callbacks):
    org = in_app_only
    # The commit happens, but the process dies before the after-commit task runs.
    with django_capture_on_commit_callbacks(execute=False):
        newcomer = EmployeeFactory(username="nina", unit=org["it"], manager=org["agent"])
    event = Event.objects.get(type=services.EMPLOYEE_JOINED, subject_id=str(newcomer.pk))
    assert Notification.objects.count() == 0

    assert redeliver_pending(older_than_seconds=3600) == 0  # too young: its task may still come
    assert redeliver_pending(older_than_seconds=0) == 1
    assert redeliver_pending(older_than_seconds=0) == 0
    assert deliver_events([event.pk]) == 0

    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["lena", "sam"]


def test_a_failing_handler_is_retried_later_and_does_not_block_the_others(
    settled_org, subscribe, caplog, django_capture_on_commit_callbacks
):
    org = settled_org
    attempts = []
    good_calls = []

    def flaky(event):
        attempts.append(event.pk)
        # Its database work must vanish with the failure, or the retry would duplicate it.
        notification_send(
            recipient_user_id=org["employee"].user_id,
            kind="test.flaky",
            render=lambda: ("Flaky", ""),
            event_id=event.pk,
        )
        if len(attempts) == 1:
            raise Boom("first delivery fails")

    def good(event):
        good_calls.append(event.pk)

    subscribe("test.happened", flaky, good)
    with (
        caplog.at_level(logging.ERROR, logger="insideout.core.events"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        event = event_record(type="test.happened", subject=org["employee"], actor=org["admin"].user)

    assert attempts == [event.pk]
    assert good_calls == [event.pk]
    assert Notification.objects.filter(kind="test.flaky").count() == 0
    assert list(EventDelivery.objects.filter(event=event).values_list("handler", flat=True)) == [
        f"{good.__module__}.{good.__qualname__}"
    ]
    event.refresh_from_db()
    assert event.dispatched_at is None
    assert event.delivery_attempts == 1
    assert [record.getMessage() for record in caplog.records] == [
        f"handler {flaky.__module__}.{flaky.__qualname__} failed on event {event.pk} (test.happened)"
    ]

    assert redeliver_pending(older_than_seconds=0) == 1

    assert attempts == [event.pk, event.pk]
    assert good_calls == [event.pk]
    assert Notification.objects.filter(kind="test.flaky").count() == 1
    assert EventDelivery.objects.filter(event=event).count() == 2
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert event.delivery_attempts == 2


def test_an_event_that_keeps_failing_is_left_for_an_operator(
    settled_org, subscribe, django_capture_on_commit_callbacks
):
    org = settled_org
    calls = []

    def broken(event):
        calls.append(event.pk)
        raise Boom("always")

    subscribe("test.broken", broken)
    with django_capture_on_commit_callbacks(execute=True):
        event = event_record(type="test.broken", subject=org["employee"])
    for _ in range(MAX_DELIVERY_ATTEMPTS + 3):
        redeliver_pending(older_than_seconds=0)

    assert len(calls) == MAX_DELIVERY_ATTEMPTS
    event.refresh_from_db()
    assert event.dispatched_at is None
    assert event.delivery_attempts == MAX_DELIVERY_ATTEMPTS


@pytest.mark.usefixtures("settled_org")
def test_history_only_events_are_never_delivered(subscribe, django_capture_on_commit_callbacks):
    calls = []
    subscribe("test.imported", lambda event: calls.append(event.pk))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = events.events_record_bulk(
            [Event(type="test.imported", subject_type="people.employee", subject_id="1")], dispatch=False
        )

    assert callbacks == []
    assert redeliver_pending(older_than_seconds=0) == 0
    assert calls == []
    assert created[0].dispatched_at is not None


# --- the directory's events --------------------------------------------------------------------


def test_a_new_employee_is_announced_to_their_manager_and_unit_lead_in_the_app(
    in_app_only, mailoutbox, django_capture_on_commit_callbacks
):
    org = in_app_only
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = EmployeeFactory(
            username="nina", first_name="Nina", last_name="New", unit=org["it"], manager=org["agent"]
        )

    notes = Notification.objects.order_by("recipient__username")
    assert [(n.recipient.username, n.kind, n.title, n.url) for n in notes] == [
        ("lena", "people.joined", "Nina New has joined IT", f"/people/{newcomer.pk}/"),
        ("sam", "people.joined", "Nina New has joined IT", f"/people/{newcomer.pk}/"),
    ]
    assert [n.body for n in notes] == ["Say hello and find out how Nina New likes to work together."] * 2
    assert all(n.read_at is None and n.emailed_at is None for n in notes)
    assert mailoutbox == []


def test_a_manager_who_also_leads_the_unit_is_told_once(in_app_only, django_capture_on_commit_callbacks):
    org = in_app_only
    with django_capture_on_commit_callbacks(execute=True):
        EmployeeFactory(username="nina", first_name="Nina", last_name="New", unit=org["it"], manager=org["lead"])

    assert _notifications() == [("lena", "people.joined", "Nina New has joined IT")]


def test_a_new_employee_without_manager_or_unit_lead_notifies_nobody(in_app_only, django_capture_on_commit_callbacks):
    org = in_app_only
    with django_capture_on_commit_callbacks(execute=True):
        EmployeeFactory(username="nina", unit=org["sales"])

    assert _notifications() == []


def test_moving_to_another_unit_notifies_the_new_units_lead(in_app_only, django_capture_on_commit_callbacks):
    org = in_app_only
    with django_capture_on_commit_callbacks(execute=True):
        services.employee_update(employee=org["employee"], actor=org["admin"].user, unit=org["it"])

    assert Event.objects.filter(type=services.EMPLOYEE_MOVED_UNIT).get().payload == {
        "from_unit": org["sales"].pk,
        "to_unit": org["it"].pk,
    }
    assert _notifications() == [("lena", "people.moved_in", "Eve Employee has moved into IT")]
    assert Notification.objects.get().body == "Eve Employee is now a member of IT."


def test_a_profile_changed_by_someone_else_notifies_the_person(in_app_only, django_capture_on_commit_callbacks):
    org = in_app_only
    with django_capture_on_commit_callbacks(execute=True):
        services.profile_update(
            profile=org["employee"].profile, actor=org["admin"].user, about="Likes tea.", interests=["chess"]
        )

    assert _notifications() == [("eve", "people.profile_changed", "Your profile was changed")]
    note = Notification.objects.get()
    assert note.body == "Someone else changed these parts of your profile: about, interests."
    assert note.url == "/me/profile/"


def test_a_profile_changed_by_the_person_themselves_notifies_nobody(in_app_only, django_capture_on_commit_callbacks):
    org = in_app_only
    with django_capture_on_commit_callbacks(execute=True):
        services.profile_update(profile=org["employee"].profile, actor=org["employee"].user, about="Likes tea.")

    assert Event.objects.filter(type=services.PROFILE_CHANGED, subject_id=str(org["employee"].pk)).count() == 2
    assert _notifications() == []


# --- channels ----------------------------------------------------------------------------------


def test_notifications_are_emailed_to_people_who_prefer_email(
    in_app_only, mailoutbox, django_capture_on_commit_callbacks
):
    org = in_app_only
    _prefer(org["lead"], PreferredChannel.EMAIL)

    with django_capture_on_commit_callbacks(execute=True):
        newcomer = EmployeeFactory(
            username="nina", first_name="Nina", last_name="New", unit=org["it"], manager=org["agent"]
        )

    assert [(m.to, m.subject) for m in mailoutbox] == [(["lena@example.org"], "Nina New has joined IT")]
    assert mailoutbox[0].body == (
        f"Say hello and find out how Nina New likes to work together.\n\nhttp://127.0.0.1:8000/people/{newcomer.pk}/"
    )
    emailed = dict(Notification.objects.values_list("recipient__username", "emailed_at"))
    assert emailed["lena"] is not None
    assert emailed["sam"] is None


def test_redelivery_does_not_email_twice(settled_org, mailoutbox, django_capture_on_commit_callbacks):
    org = settled_org
    # Everyone prefers e-mail: the default.
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = EmployeeFactory(username="nina", unit=org["it"], manager=org["agent"])
    event = Event.objects.get(type=services.EMPLOYEE_JOINED, subject_id=str(newcomer.pk))
    Event.objects.filter(pk=event.pk).update(dispatched_at=None)
    EventDelivery.objects.filter(event=event).delete()  # even the delivery log is lost

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_events([event.pk]) == 1

    assert sorted(m.to[0] for m in mailoutbox) == ["lena@example.org", "sam@example.org"]
    assert Notification.objects.count() == 2


def test_people_who_have_left_are_not_notified(settled_org, mailoutbox, django_capture_on_commit_callbacks):
    org = settled_org
    services.employee_deactivate(employee=org["agent"], actor=org["admin"].user)
    with django_capture_on_commit_callbacks(execute=True):
        EmployeeFactory(username="nina", unit=org["it"], manager=org["agent"])

    assert [m.to for m in mailoutbox] == [["lena@example.org"]]
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["lena"]


def test_a_handler_that_breaks_a_constraint_is_retried_not_taken_as_delivered(
    settled_org, subscribe, django_capture_on_commit_callbacks
):
    org = settled_org
    attempts = []

    def duplicating(event):
        attempts.append(event.pk)
        if len(attempts) == 1:
            # A unique constraint of the handler's own data, not of the delivery log.
            EventDelivery.objects.create(event=event, handler="test.claimed-twice")
            EventDelivery.objects.create(event=event, handler="test.claimed-twice")

    subscribe("test.constrained", duplicating)
    with django_capture_on_commit_callbacks(execute=True):
        event = event_record(type="test.constrained", subject=org["employee"])

    event.refresh_from_db()
    assert event.dispatched_at is None
    assert EventDelivery.objects.filter(event=event).count() == 0

    assert redeliver_pending(older_than_seconds=0) == 1
    assert attempts == [event.pk, event.pk]
    event.refresh_from_db()
    assert event.dispatched_at is not None
