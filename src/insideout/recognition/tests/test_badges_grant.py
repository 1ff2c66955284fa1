"""Manual badges: a person's managers, the leads above them and people-ops grant them, for a reason;
nobody grants one to themselves, and a refused grant changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from insideout.core.errors import Conflict, Forbidden
from insideout.core.models import Event
from insideout.notifications.models import Notification
from insideout.people import services as people
from insideout.people.tests.factories import EmployeeFactory
from insideout.recognition import badges
from insideout.recognition.models import Badge, BadgeAward

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def beyond(db: Any) -> Badge:
    return Badge.objects.get(name="Above and beyond")  # the manual badge every organisation starts with


def state() -> list[Any]:
    return [list(BadgeAward.objects.values()), list(Event.objects.filter(type=badges.BADGE_AWARDED).values())]


def refused(error: type[Exception], call: Any) -> Exception:
    before = state()
    with pytest.raises(error) as excinfo:
        call()
    assert state() == before
    return excinfo.value


def grant(actor: Any, badge: Badge, person: Any, reason: str = "Covered the whole launch", now: datetime = NOW) -> Any:
    return badges.badge_grant(actor=actor.user, badge=badge, person_id=person.pk, reason=reason, now=now)


def test_a_manager_grants_a_badge_and_the_person_hears_of_it(
    org: dict[str, Any], beyond: Badge, django_capture_on_commit_callbacks: Any
) -> None:
    mo, eve = org["manager"], org["employee"]  # Mo manages Eve
    with django_capture_on_commit_callbacks(execute=True):
        award = grant(mo, beyond, eve, reason="Closed the Q4 deal  ")
    assert (award.employee_id, award.granted_by_id, award.reason, award.achievement) == (
        eve.pk,
        mo.pk,
        "Closed the Q4 deal",
        "granted 2026-12-03",
    )
    assert badges.achievement_in_words(award) == "3 December 2026"
    notification = Notification.objects.get(recipient=eve.user, kind=badges.BADGE_AWARDED)
    assert (notification.title, notification.body) == (
        "Mo Manager granted you the badge Above and beyond",
        "Closed the Q4 deal",
    )


def test_the_leads_above_and_the_reporting_line_may_grant(org: dict[str, Any], beyond: Badge) -> None:
    lena, sam, mo, eve, pat = org["lead"], org["agent"], org["manager"], org["employee"], org["admin"]
    ceo = EmployeeFactory(username="cleo", first_name="Cleo", last_name="Chief", unit=org["company"])
    people.unit_update(unit=org["company"], lead=ceo)
    newcomer = EmployeeFactory(username="nia", first_name="Nia", last_name="New", unit=org["sales"], manager=eve)
    grant(lena, beyond, sam)  # she leads IT, above Sam's Helpdesk (and manages him)
    grant(ceo, beyond, eve)  # she leads the company
    grant(mo, beyond, newcomer)  # Nia reports to Eve, who reports to Mo
    grant(pat, beyond, lena)  # people-ops
    assert sorted(BadgeAward.objects.values_list("granted_by_id", "employee_id")) == sorted(
        [(lena.pk, sam.pk), (ceo.pk, eve.pk), (mo.pk, newcomer.pk), (pat.pk, lena.pk)]
    )


def test_others_may_not_grant(org: dict[str, Any], beyond: Badge) -> None:
    lena, sam, mo, eve, pat = org["lead"], org["agent"], org["manager"], org["employee"], org["admin"]
    error = refused(Forbidden, lambda: grant(lena, beyond, eve))  # Sales is not below IT
    assert str(error) == "Only Eve Employee's managers, the leads above them and people-ops can grant them a badge."
    refused(Forbidden, lambda: grant(eve, beyond, mo))  # a report does not grant their manager
    refused(Forbidden, lambda: grant(sam, beyond, eve))
    assert str(refused(Forbidden, lambda: grant(pat, beyond, pat))) == "You cannot grant yourself a badge."
    refused(Forbidden, lambda: grant(mo, beyond, mo))
    refused(Forbidden, lambda: badges.badge_grant(actor=None, badge=beyond, person_id=eve.pk, reason="x", now=NOW))


def test_bad_grants_are_refused(org: dict[str, Any], beyond: Badge) -> None:
    mo, eve = org["manager"], org["employee"]
    thanked = Badge.objects.get(name="Thanked")
    assert str(refused(Conflict, lambda: grant(mo, thanked, eve))) == (
        "Thanked is awarded by its rules; only manual badges are granted."
    )
    error = refused(ValidationError, lambda: grant(mo, beyond, eve, reason="   "))
    assert error.message_dict == {"reason": ["This field is required."]}  # type: ignore[attr-defined]
    error = refused(
        ValidationError, lambda: badges.badge_grant(actor=mo.user, badge=beyond, person_id="x", reason="y", now=NOW)
    )
    assert error.message_dict == {"person": ["No active person has this id."]}  # type: ignore[attr-defined]
    Badge.objects.filter(pk=beyond.pk).update(is_active=False)
    beyond.refresh_from_db()
    refused(Conflict, lambda: grant(mo, beyond, eve))


def test_the_same_badge_once_a_day(org: dict[str, Any], beyond: Badge) -> None:
    mo, eve = org["manager"], org["employee"]
    grant(mo, beyond, eve)
    error = refused(Conflict, lambda: grant(mo, beyond, eve, now=NOW + timedelta(hours=3)))
    assert str(error) == "Eve Employee was granted Above and beyond today already."
    grant(mo, beyond, eve, now=NOW + timedelta(days=1))
    assert list(BadgeAward.objects.filter(employee=eve).order_by("pk").values_list("achievement", flat=True)) == [
        "granted 2026-12-03",
        "granted 2026-12-04",
    ]
