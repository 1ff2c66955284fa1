"""Recognition's event types and handlers: who hears of a recognition, a spot award and a
redemption, by each person's preferred channel, with a link to the page where it is.

- A recognition reaches its recipients and their managers (once, however many of their people it
  names); a boost its recipients only. The link opens the recognition's own page.
- A spot award that waits for approval reaches who may decide (the giver's manager, or everyone in
  people-ops when the giver has none), with a link to the award's page, whose Approve and Reject
  buttons decide in one click. The giver hears of the decision; the recipient of the payment.
- A redemption's person hears when it is issued (with the code or tracking note) or cancelled.

Handlers run after the commit, at least once; the notifications context keeps a person from hearing
of the same event twice, nobody is told of their own action, and leavers hear nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insideout.core.events import handles
from insideout.core.models import Event
from insideout.notifications import facade as notifications
from insideout.people import facade as people
from insideout.people.models import Employee
from insideout.recognition.awards import AWARD_APPROVED, AWARD_GIVEN, AWARD_REJECTED, AWARD_REQUESTED
from insideout.recognition.models import Award, Redemption
from insideout.recognition.rewards import REDEMPTION_CANCELLED, REDEMPTION_ISSUED
from insideout.recognition.services import RECOGNITION_BOOSTED, RECOGNITION_GIVEN

AWARD_TO_DECIDE = "recognition.award_to_decide"  # the kind of an approver's notification
AWARD_PAID = "recognition.award_paid"  # the recipient's, however the award was paid
RECOGNITION_OF_REPORT = "recognition.given_to_report"


def _people(ids: object) -> list[Employee]:
    if not isinstance(ids, list):
        return []
    return list(Employee.objects.select_related("user", "manager__user").filter(pk__in=ids, is_active=True))


def recognition_url(recognition_id: int) -> str:
    return reverse("recognition:recognition", args=[recognition_id])


def _tell(
    event: Event, user_id: int | None, kind: str, render: Callable[[], tuple[str, str]], url: str, told: set[int]
) -> None:
    """Notify one person (by user id), unless they did it or were told of this event already."""
    if user_id is None or user_id == event.actor_id or user_id in told:
        return
    told.add(user_id)
    notifications.notify(recipient_user_id=user_id, kind=kind, render=render, url=url, event_id=event.pk)


@handles(RECOGNITION_GIVEN, RECOGNITION_BOOSTED)
def tell_about_recognition(event: Event) -> None:
    """Each recipient hears of it, and their manager (once, however many of their people it names);
    a boost reaches the recipients only."""
    giver = Employee.objects.filter(pk=event.payload.get("giver")).first()
    giver_name = giver.name if giver is not None else ""
    points = event.payload.get("points") or 0
    recipients = _people(event.payload.get("recipients"))
    boosted = event.type == RECOGNITION_BOOSTED
    recognition_id = event.payload.get("recognition")
    url = recognition_url(recognition_id) if isinstance(recognition_id, int) else ""
    told: set[int] = set()
    for person in recipients:

        def render() -> tuple[str, str]:
            values = {"giver": giver_name, "points": points}
            if boosted:
                return (_("%(giver)s boosted your recognition") % values, _("+%(points)s points for you.") % values)
            title = _("%(giver)s recognised you") % values
            body = _("You received %(points)s points.") % values if points else _("Open it to read the message.")
            return title, body

        _tell(event, person.user_id, event.type, render, url, told)
    if boosted:
        return
    for person in recipients:
        manager = person.manager
        if manager is None or not manager.is_active:
            continue

        def render_manager(person: Employee = person) -> tuple[str, str]:
            values = {"giver": giver_name, "person": person.name}
            return _("%(giver)s recognised %(person)s") % values, _("Someone on your team was recognised.")

        _tell(event, manager.user_id, RECOGNITION_OF_REPORT, render_manager, url, told)


# --- spot awards ---------------------------------------------------------------------------------------


def _award_of(event: Event) -> Award | None:
    return (
        Award.objects.select_related("giver__user", "recipient__user", "approver__user", "decided_by")
        .filter(pk=event.payload.get("award"))
        .first()
    )


def award_url(award_id: int) -> str:
    return reverse("recognition:award", args=[award_id])


def _award_values(award: Award) -> dict[str, Any]:
    return {
        "giver": award.giver.name,
        "recipient": award.recipient.name,
        "points": award.points,
        "reason": award.reason,
        "note": award.decision_note,
        "decider": award.decided_by.name if award.decided_by is not None else _("people-ops"),
    }


def deciders_of(award: Award) -> list[int]:
    """The user ids of who may decide on a pending award: its approver (the giver's manager), or,
    when it names none, everyone in people-ops; never the giver or the recipient."""
    if award.approver is not None:
        candidates: Iterable[tuple[int, int, bool]] = [
            (award.approver.pk, award.approver.user_id, award.approver.is_active)
        ]
    else:
        candidates = [(ref.id, ref.user_id, ref.is_active) for ref in people.people_ops_members()]
    return [
        user_id
        for person_id, user_id, active in candidates
        if active and person_id not in (award.giver_id, award.recipient_id)
    ]


@handles(AWARD_REQUESTED)
def tell_about_award_to_decide(event: Event) -> None:
    """Who may decide hears of the award, with a link to its page (Approve or Reject, one click)."""
    award = _award_of(event)
    if award is None:
        return

    def render() -> tuple[str, str]:
        values = _award_values(award)
        return (
            _("%(giver)s asks you to approve a spot award to %(recipient)s") % values,
            ngettext(
                "%(points)s point for %(recipient)s: %(reason)s",
                "%(points)s points for %(recipient)s: %(reason)s",
                award.points,
            )
            % values,
        )

    told: set[int] = set()
    for user_id in deciders_of(award):
        _tell(event, user_id, AWARD_TO_DECIDE, render, award_url(award.pk), told)


@handles(AWARD_GIVEN, AWARD_APPROVED, AWARD_REJECTED)
def tell_about_award_decided(event: Event) -> None:
    """The giver hears of the decision on their award; the recipient that it is paid (at once, or
    once approved)."""
    award = _award_of(event)
    if award is None:
        return
    told: set[int] = set()
    giver = award.giver.user_id if award.giver.is_active else None
    given_url = f"{reverse('recognition:approvals')}#given-heading"

    def render_approved() -> tuple[str, str]:
        values = _award_values(award)
        return (
            _("%(decider)s approved your spot award to %(recipient)s") % values,
            ngettext(
                "%(recipient)s receives the %(points)s point.",
                "%(recipient)s receives the %(points)s points.",
                award.points,
            )
            % values,
        )

    def render_rejected() -> tuple[str, str]:
        values = _award_values(award)
        title = _("%(decider)s rejected your spot award to %(recipient)s") % values
        if award.decision_note:
            body = ngettext(
                "The %(points)s point is back in your budget. %(decider)s wrote: %(note)s",
                "The %(points)s points are back in your budget. %(decider)s wrote: %(note)s",
                award.points,
            )
        else:
            body = ngettext(
                "The %(points)s point is back in your budget.",
                "The %(points)s points are back in your budget.",
                award.points,
            )
        return title, body % values

    def render_paid() -> tuple[str, str]:
        values = _award_values(award)
        return (
            _("%(giver)s gave you a spot award") % values,
            ngettext("%(points)s point for you: %(reason)s", "%(points)s points for you: %(reason)s", award.points)
            % values,
        )

    if event.type == AWARD_REJECTED:
        _tell(event, giver, event.type, render_rejected, given_url, told)
        return
    if event.type == AWARD_APPROVED:
        _tell(event, giver, event.type, render_approved, given_url, told)
    if award.recipient.is_active:
        _tell(event, award.recipient.user_id, AWARD_PAID, render_paid, reverse("recognition:points"), told)


# --- redemptions ---------------------------------------------------------------------------------------


@handles(REDEMPTION_ISSUED, REDEMPTION_CANCELLED)
def tell_about_redemption(event: Event) -> None:
    """The person hears that their redemption was issued, with the code or tracking note, or
    cancelled (not when they cancelled it themselves)."""
    redemption = (
        Redemption.objects.select_related("reward", "employee").filter(pk=event.payload.get("redemption")).first()
    )
    if redemption is None or not redemption.employee.is_active:
        return
    issued = event.type == REDEMPTION_ISSUED

    def render() -> tuple[str, str]:
        values = {"reward": redemption.reward.name, "quantity": redemption.quantity, "note": redemption.note}
        if issued:
            title = ngettext(
                "Your reward is ready: %(reward)s",
                "Your rewards are ready: %(quantity)s × %(reward)s",
                redemption.quantity,
            )
            body = _("Your code or tracking note: %(note)s") if redemption.note else _("It is on its way to you.")
        else:
            title = ngettext(
                "Your redemption of %(reward)s was cancelled",
                "Your redemption of %(quantity)s × %(reward)s was cancelled",
                redemption.quantity,
            )
            body = (
                _("The points are back on your balance. Why: %(note)s")
                if redemption.note
                else _("The points are back on your balance.")
            )
        return title % values, body % values

    url = f"{reverse('recognition:rewards')}#my-redemptions"
    _tell(event, redemption.employee.user_id, event.type, render, url, set())
