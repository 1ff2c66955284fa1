"""This context's handlers for other contexts' events."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from insideout.core.events import handles
from insideout.core.models import Event
from insideout.notifications.services import notification_send
from insideout.people import facade as people


def _person_url(employee_id: int) -> str:
    return reverse("people:person", args=[employee_id])


@handles("people.employee_joined")
def notify_arrival(event: Event) -> None:
    """Tell the new person's manager and their unit's lead that they have joined."""
    person = people.person_get(employee_id=int(event.subject_id))
    if person is None or not person.is_active:
        return
    recipients: dict[int, str] = {}
    if person.manager_id:
        manager = people.person_get(employee_id=person.manager_id)
        if manager and manager.is_active:
            recipients[manager.user_id] = "manager"
    if person.unit_id:
        lead = people.unit_lead(unit_id=person.unit_id)
        if lead and lead.is_active and lead.id != person.id:
            recipients.setdefault(lead.user_id, "lead")
    for user_id in recipients:
        notification_send(
            recipient_user_id=user_id,
            kind="people.joined",
            render=lambda: (
                _("%(name)s has joined %(unit)s") % {"name": person.name, "unit": person.unit_name or _("the company")},
                _("Say hello and find out how %(name)s likes to work together.") % {"name": person.name},
            ),
            url=_person_url(person.id),
            event_id=event.pk,
        )


@handles("people.employee_moved_unit")
def notify_move(event: Event) -> None:
    """Tell the lead of the unit a person moved into."""
    person = people.person_get(employee_id=int(event.subject_id))
    to_unit = event.payload.get("to_unit")
    if person is None or not to_unit:
        return
    lead = people.unit_lead(unit_id=int(to_unit))
    if lead is None or not lead.is_active or lead.id == person.id:
        return
    unit_name = people.unit_name(unit_id=int(to_unit))
    notification_send(
        recipient_user_id=lead.user_id,
        kind="people.moved_in",
        render=lambda: (
            _("%(name)s has moved into %(unit)s") % {"name": person.name, "unit": unit_name},
            _("%(name)s is now a member of %(unit)s.") % {"name": person.name, "unit": unit_name},
        ),
        url=_person_url(person.id),
        event_id=event.pk,
    )


@handles("people.profile_changed")
def notify_profile_changed_by_someone_else(event: Event) -> None:
    """A person is told when somebody else (say, people-ops) changes their profile."""
    person = people.person_get(employee_id=int(event.subject_id))
    if person is None or not person.is_active or event.actor_id is None or event.actor_id == person.user_id:
        return
    fields = ", ".join(event.payload.get("changed", []))
    notification_send(
        recipient_user_id=person.user_id,
        kind="people.profile_changed",
        render=lambda: (
            _("Your profile was changed"),
            _("Someone else changed these parts of your profile: %(fields)s.") % {"fields": fields},
        ),
        url=reverse("people:my-profile"),
        event_id=event.pk,
    )
