"""Recognition's event types and handlers: the recipients of a recognition and their managers hear
of it, by each recipient's preferred channel."""

from __future__ import annotations

from django.utils.translation import gettext as _

from insideout.core.events import handles
from insideout.core.models import Event
from insideout.notifications import facade as notifications
from insideout.people.models import Employee
from insideout.recognition.services import RECOGNITION_BOOSTED, RECOGNITION_GIVEN


def _people(ids: object) -> list[Employee]:
    if not isinstance(ids, list):
        return []
    return list(Employee.objects.select_related("user", "manager__user").filter(pk__in=ids, is_active=True))


@handles(RECOGNITION_GIVEN, RECOGNITION_BOOSTED)
def tell_about_recognition(event: Event) -> None:
    """Each recipient hears of it, and their manager (once, however many of their people it names);
    a boost reaches the recipients only."""
    giver = Employee.objects.filter(pk=event.payload.get("giver")).first()
    giver_name = giver.name if giver is not None else ""
    points = event.payload.get("points") or 0
    recipients = _people(event.payload.get("recipients"))
    boosted = event.type == RECOGNITION_BOOSTED
    told: set[int] = set()
    for person in recipients:
        if person.user_id == event.actor_id or person.pk in told:
            continue
        told.add(person.pk)

        def render(person: Employee = person) -> tuple[str, str]:
            values = {"giver": giver_name, "points": points}
            if boosted:
                return (_("%(giver)s boosted your recognition") % values, _("+%(points)s points for you.") % values)
            title = _("%(giver)s recognised you") % values
            body = _("You received %(points)s points.") % values if points else _("Open it to read the message.")
            return title, body

        notifications.notify(
            recipient_user_id=person.user_id, kind=event.type, render=render, url="", event_id=event.pk
        )
    if boosted:
        return
    for person in recipients:
        manager = person.manager
        if manager is None or not manager.is_active or manager.pk in told or manager.user_id == event.actor_id:
            continue
        told.add(manager.pk)

        def render_manager(person: Employee = person) -> tuple[str, str]:
            values = {"giver": giver_name, "person": person.name}
            return _("%(giver)s recognised %(person)s") % values, _("Someone on your team was recognised.")

        notifications.notify(
            recipient_user_id=manager.user_id,
            kind="recognition.given_to_report",
            render=render_manager,
            url="",
            event_id=event.pk,
        )
