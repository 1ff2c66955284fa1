"""What every recognition page shares: the acting user and their person, who may open which page,
domain errors as HTTP answers, and what the section's tabs and the navigation's points need."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.core.text import as_id
from insideout.people.models import Employee, User
from insideout.recognition import selectors
from insideout.recognition.views.forms import add_service_errors

T = TypeVar("T")
View = Callable[..., HttpResponse]

_MEMBER = "_recognition_member"
PICK_LIMIT = 20


def actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def member(request: HttpRequest) -> Employee | None:
    """The signed-in person (with their unit), read once per request; None for an account without one."""
    if not hasattr(request, _MEMBER):
        setattr(request, _MEMBER, selectors.member_of(actor(request)))
    found: Employee | None = getattr(request, _MEMBER)
    return found


def me(request: HttpRequest) -> Employee:
    """The signed-in person, on pages that ``members_only`` guards."""
    employee = member(request)
    if employee is None:  # pragma: no cover - members_only answered already
        raise PermissionDenied(_("Only members of the organisation can do this."))
    return employee


def refused(request: HttpRequest, reason: str) -> HttpResponse:
    """A page that says why the caller may not be here (403)."""
    return render(request, "recognition/not_allowed.html", {"reason": reason}, status=403)


def members_only(view: View) -> View:
    """Pages that need a person of the organisation: an account without one gets a page saying so."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if member(request) is None:
            return refused(
                request, _("Your account is not linked to a person of the organisation, so it has no points.")
            )
        return view(request, *args, **kwargs)

    return guarded


def people_ops_only(view: View) -> View:
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.is_people_ops(actor(request)):
            return refused(request, _("Only people-ops manage recognition: its values, rules, rewards and reports."))
        return view(request, *args, **kwargs)

    return guarded


def _as_http(exc: NotFound | Forbidden) -> Exception:
    return Http404(exc.message) if isinstance(exc, NotFound) else PermissionDenied(exc.message)


def get_or_404(func: Callable[..., T], **kwargs: Any) -> T:
    """Call a ``*_get_for`` selector: NotFound becomes a 404 page, Forbidden a 403 page."""
    try:
        return func(**kwargs)
    except (NotFound, Forbidden) as exc:
        raise _as_http(exc) from exc


def attempt(
    request: HttpRequest, call: Callable[[], T], *, form: forms.Form | None = None, conflict_field: str | None = None
) -> T | None:
    """Run one service call for a page and say its refusals where the person looks: a
    ValidationError next to the form's inputs (or as a message on a page without a form), a
    Conflict at ``conflict_field`` (or at the form's top, or as a message); NotFound and Forbidden
    are 404 and 403 pages. Returns what the call returned, or None when it was refused."""
    try:
        return call()
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        if form is None:
            messages.error(request, " ".join(message for found in errors.values() for message in found))
        else:
            add_service_errors(form, errors)
    except Conflict as exc:
        if form is None:
            messages.error(request, exc.message)
        else:
            form.add_error(conflict_field, exc.message)
    except (NotFound, Forbidden) as exc:
        raise _as_http(exc) from exc
    return None


def next_url(request: HttpRequest, default: str) -> str:
    """Where a form asks to go back to (a page of this site only), else ``default``."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return default


def section(request: HttpRequest, current: str, **context: Any) -> dict[str, Any]:
    """The context every full page of the section has: which tab is current, whether the person has
    a budget (the spot-award tab) or is people-ops (the admin tab), and their points for the
    navigation, so it need not fetch them."""
    employee = member(request)
    holder = selectors.budget_holder(actor(request))
    points = selectors.points_of(employee_id=employee.pk, holder=holder) if employee is not None else None
    return {
        "tab": current,
        "employee": employee,
        "nav_points": points,
        "has_budget": points is not None and points.budget is not None,
        "is_people_ops": selectors.is_people_ops(actor(request)),
        **context,
    }


# --- choosing people -------------------------------------------------------------------------------


def ids_of(values: Sequence[object]) -> list[int]:
    return [pk for pk in (as_id(value) for value in values) if pk is not None]


def people_lists(*, chosen_ids: Sequence[object], q: str, employee: Employee) -> tuple[list[Employee], list[Employee]]:
    """The people chosen (ticked), and those the search found besides (to tick)."""
    chosen = selectors.people_named(employee_ids=ids_of(chosen_ids))
    found: list[Employee] = []
    if q.strip():
        taken = {person.pk for person in chosen}
        found = [
            person
            for person in selectors.people_to_pick(q=q, limit=PICK_LIMIT + len(taken), exclude_id=employee.pk)
            if person.pk not in taken
        ][:PICK_LIMIT]
    return chosen, found
