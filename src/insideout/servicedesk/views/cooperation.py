"""Cooperation pages: the actions of a request's "Promises" part, my promises, and a lead's view.

On a request, each action is a POST that reads one small form and calls one service. Done, or
refused for a reason the page can say (a Conflict), it answers with a message and a redirect back
to the request page, so it works without JavaScript; htmx posts the same URLs and swaps the page's
body (``#request-body``). Invalid input, the form's or the service's, shows the page again with the
messages next to the inputs and nothing changed. ``/promises/`` lists what I promised and what was
promised to me, and lets me promise a colleague something; ``/desk/<id>/cooperation/`` shows a desk's
admins the kept-rate of its unit, team and people, broken promises, open follow-ups of low ratings,
satisfaction, and how the unit's internal service agreements are kept, over a period.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from insideout.core.errors import Conflict, Forbidden, NotFound
from insideout.core.pagination import IdsFirst
from insideout.core.text import as_id
from insideout.servicedesk import selectors as desk_selectors
from insideout.servicedesk.cooperation import selectors, services
from insideout.servicedesk.cooperation.models import Commitment, CommitmentState, NeededByState
from insideout.servicedesk.models import Desk, Request
from insideout.servicedesk.views.agreements_page import percent, rating_rows, unit_agreements
from insideout.servicedesk.views.common import actor, get_or_404
from insideout.servicedesk.views.cooperation_forms import (
    CommitForm,
    FeedbackForm,
    NeededByForm,
    PeriodForm,
    PromiseForm,
    RespondForm,
    ReviseForm,
    ThanksForm,
    add_service_errors,
)
from insideout.servicedesk.views.cooperation_page import PromiseView, needed_by_words, thanks_helpers
from insideout.servicedesk.views.cooperation_page import when_words as _when
from insideout.servicedesk.views.manage import admins_only
from insideout.servicedesk.views.portal import people_to_offer

# The request page is rendered by the workspace, which adds the "Promises" part to it.
from insideout.servicedesk.views.workspace import _render_request

PAGE_SIZE = 25
PEOPLE_PAGE_SIZE = 50


# --- the request page's actions -------------------------------------------------------------------


def _request_of(request: HttpRequest, prefix: str, number: int) -> Request:
    found: Request = get_or_404(desk_selectors.request_get_by_key_for, actor=actor(request), key=f"{prefix}-{number}")
    return found


def _back(service_request: Request) -> HttpResponse:
    return redirect("servicedesk:request", prefix=service_request.desk.prefix, number=service_request.number)


def _submit(
    request: HttpRequest,
    service_request: Request,
    name: str,
    form: forms.Form,
    call: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    """Hand a valid form to ``call`` (one service call, returning the message to show).

    Done: a success message and back to the page. A Conflict: its message, back to the page.
    Invalid input (the form's or the service's): the page again, the messages by the inputs.
    """
    if form.is_valid():
        try:
            done = call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        except Conflict as exc:
            messages.error(request, exc.message)
            return _back(service_request)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        else:
            messages.success(request, done)
            return _back(service_request)
    return _render_request(request, service_request, promise_forms={name: form})


@login_required
@require_POST
def commit(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
    service_request = _request_of(request, prefix, number)

    def call(data: dict[str, Any]) -> str:
        services.commitment_create_for_request(
            actor=actor(request), request=service_request, due_at=data["due_at"], note=data["note"]
        )
        return _("You committed to %(when)s; %(name)s is told.") % {
            "when": _when(data["due_at"]),
            "name": service_request.requester.name,
        }

    return _submit(request, service_request, "commit", CommitForm(request.POST, auto_id="commit-%s"), call)


@login_required
@require_POST
def revise(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
    service_request = _request_of(request, prefix, number)
    me = actor(request)

    def call(data: dict[str, Any]) -> str:
        commitment = selectors.commitment_get_for(actor=me, commitment_id=data["commitment"])
        if commitment.request_id != service_request.pk:
            raise NotFound(_("No such commitment on %(key)s.") % {"key": service_request.key})
        services.commitment_revise(actor=me, commitment=commitment, due_at=data["due_at"], reason=data["reason"])
        return _("The promise now says %(when)s; %(name)s is told why.") % {
            "when": _when(data["due_at"]),
            "name": commitment.recipient.name,
        }

    return _submit(request, service_request, "revise", ReviseForm(request.POST, auto_id="revise-%s"), call)


@login_required
@require_POST
def needed_by(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
    service_request = _request_of(request, prefix, number)

    def call(data: dict[str, Any]) -> str:
        entry = services.needed_by_set(
            actor=actor(request), request=service_request, needed_by=data["needed_by"], reason=data["reason"]
        )
        return needed_by_words(entry, unit=service_request.desk.unit.name)

    return _submit(request, service_request, "needed_by", NeededByForm(request.POST, auto_id="needed-%s"), call)


RESPONSE_DONE: dict[tuple[str, str], Callable[[dict[str, str]], str]] = {
    ("accept", NeededByState.PROPOSED): lambda words: _("Accepted: %(when)s is now the promise.") % words,
    ("accept", NeededByState.COUNTERED): lambda words: _("Accepted: %(when)s is now the promise.") % words,
    ("counter", NeededByState.PROPOSED): lambda words: _("You proposed %(when)s; the requester is asked.") % words,
    ("withdraw", NeededByState.PROPOSED): lambda words: _("Your date is withdrawn.") % words,
    ("withdraw", NeededByState.COUNTERED): lambda words: _("Your date is withdrawn.") % words,
}


@login_required
@require_POST
def needed_by_respond(request: HttpRequest, prefix: str, number: int, needed_by_id: int) -> HttpResponse:
    service_request = _request_of(request, prefix, number)
    entry = get_or_404(selectors.needed_by_get_for, request=service_request, needed_by_id=needed_by_id)
    state_before = entry.state

    def call(data: dict[str, Any]) -> str:
        action = data["action"]
        answered = services.needed_by_respond(
            actor=actor(request),
            request=service_request,
            needed_by=entry,
            action=action,
            due_at=data["due_at"] if action == "counter" else None,
        )
        # A counter-proposal, and its acceptance, are about the desk's time; the rest about the requester's.
        use_counter = action == "counter" or state_before == NeededByState.COUNTERED
        when = answered.counter_due_at if use_counter else answered.needed_by
        done = RESPONSE_DONE.get((action, state_before))
        words = {"when": _when(when) if when is not None else ""}
        return done(words) if done is not None else _("Your answer is saved.")

    return _submit(request, service_request, "respond", RespondForm(request.POST, auto_id="respond-%s"), call)


@login_required
@require_POST
def feedback(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
    service_request = _request_of(request, prefix, number)

    def call(data: dict[str, Any]) -> str:
        services.feedback_give(
            actor=actor(request), request=service_request, rating=data["rating"], comment=data["comment"]
        )
        return _("Thank you for rating %(key)s.") % {"key": service_request.key}

    return _submit(request, service_request, "feedback", FeedbackForm(request.POST, auto_id="rating-%s"), call)


@login_required
@require_POST
def thanks(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
    service_request = _request_of(request, prefix, number)
    me = actor(request)
    employee = desk_selectors.access_for(me).employee
    if employee is None:
        raise PermissionDenied(_("Only members of the organisation can do this."))
    helpers = thanks_helpers(
        service_request,
        employee=employee,
        commitment=selectors.commitment_latest_of(request=service_request),
        comments=desk_selectors.request_comments_for(actor=me, request=service_request),
    )
    if not helpers:
        messages.error(
            request, _("Nobody else helped with %(key)s, so there is nobody to thank.") % {"key": service_request.key}
        )
        return _back(service_request)
    names = {person.pk: person.name for person in helpers}

    def call(data: dict[str, Any]) -> str:
        services.thanks_send(actor=me, request=service_request, to=data["to"], message=data["message"])
        return _("Your thanks is on its way to %(names)s.") % {"names": ", ".join(names[pk] for pk in data["to"])}

    form = ThanksForm(request.POST, auto_id="thanks-%s", helpers=helpers)
    return _submit(request, service_request, "thanks", form, call)


# --- my promises ----------------------------------------------------------------------------------


def _promise_rows(commitments: Iterable[Commitment], now: datetime) -> list[PromiseView]:
    return [PromiseView.of(commitment, now=now) for commitment in commitments]


@login_required
@vary_on_headers("HX-Request", "HX-Target")
@require_http_methods(["GET", "POST"])
def promises(request: HttpRequest) -> HttpResponse:
    """What I promised (open first, soonest due; then settled, latest first), what was promised to
    me, and a form to promise a colleague something."""
    me = actor(request)
    employee = desk_selectors.access_for(me).employee
    chosen = [person] if (person := as_id(request.POST.get("to", ""))) is not None else []
    people, people_search = people_to_offer(request, chosen)
    form_kwargs: dict[str, Any] = {"people": people, "people_search": people_search, "auto_id": "promise-%s"}
    if request.method == "POST":
        if employee is None:
            raise PermissionDenied(_("Only members of the organisation can make promises."))
        form = PromiseForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = services.commitment_create(
                    actor=me, to_id=data["to"], title=data["title"], due_at=data["due_at"], note=data["note"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc.message_dict)
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from exc
            else:
                messages.success(
                    request,
                    _("You promised %(name)s “%(what)s” by %(when)s; they are told.")
                    % {"name": made.recipient.name, "what": made.title, "when": _when(made.due_at)},
                )
                return redirect("servicedesk:promises")
    else:
        form = PromiseForm(**form_kwargs)
    now = timezone.now()
    made_page = Paginator(IdsFirst(selectors.commitment_list_page_for(actor=me, made=True)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    to_me_page = Paginator(IdsFirst(selectors.commitment_list_page_for(actor=me, made=False)), PAGE_SIZE).get_page(
        request.GET.get("to_me_page")
    )
    context = {
        "form": form,
        "has_person": employee is not None,
        "made_page": made_page,
        "made": _promise_rows(made_page.object_list, now),
        "to_me_page": to_me_page,
        "to_me": _promise_rows(to_me_page.object_list, now),
    }
    if request.htmx and request.htmx.target == "promises-body":  # type: ignore[attr-defined]
        return render(request, "servicedesk/cooperation/partials/promises_body.html", context)
    return render(request, "servicedesk/cooperation/promises.html", context)


@login_required
@require_POST
def promise_done(request: HttpRequest, commitment_id: int) -> HttpResponse:
    me = actor(request)
    commitment: Commitment = get_or_404(selectors.commitment_get_for, actor=me, commitment_id=commitment_id)
    try:
        services.commitment_done(actor=me, commitment=commitment)
    except Conflict as exc:
        messages.error(request, exc.message)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    else:
        words = {"what": commitment.title}
        if commitment.state == CommitmentState.KEPT:
            messages.success(request, _("“%(what)s” is done, on time: a promise kept.") % words)
        else:
            messages.warning(request, _("“%(what)s” is done, after the time promised: a promise broken.") % words)
    return redirect("servicedesk:promises")


# --- a lead's view ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    label: str


def period_of(values: Mapping[str, Any], *, now: datetime, zone: tzinfo) -> Period:
    """The period a valid ``PeriodForm`` names (this month when it names none), in ``zone``'s days."""
    kind = values.get("period") or "this_month"
    local = now.astimezone(zone)
    if kind == "custom" and values.get("start") and values.get("end"):
        start = datetime.combine(values["start"], time(0), tzinfo=zone)
        end = datetime.combine(values["end"] + timedelta(days=1), time(0), tzinfo=zone)
        label = _("%(start)s to %(end)s") % {
            "start": date_format(values["start"], "DATE_FORMAT"),
            "end": date_format(values["end"], "DATE_FORMAT"),
        }
        return Period(start=start, end=end, label=label)
    if kind in ("last_30", "last_90"):
        days = 30 if kind == "last_30" else 90
        start = now - timedelta(days=days)
        label = _("the last %(days)d days, since %(start)s") % {"days": days, "start": _when(start)}
        return Period(start=start, end=now, label=label)
    start = datetime(local.year, local.month, 1, tzinfo=zone)
    return Period(start=start, end=now, label=date_format(local, "F Y"))


def _period_query(values: Mapping[str, Any]) -> str:
    query = QueryDict(mutable=True)
    kind = values.get("period") or ""
    if kind and kind != "this_month":
        query["period"] = kind
    if kind == "custom":
        for name in ("start", "end"):
            if values.get(name):
                query[name] = values[name].isoformat()
    return query.urlencode()


def _admin_desk(request: HttpRequest, desk_id: int) -> Desk:
    try:
        desk: Desk = get_or_404(desk_selectors.desk_get_for, actor=actor(request), desk_id=desk_id, admin=True)
    except PermissionDenied as exc:
        raise PermissionDenied(_("Only the desk's admins see its promises and satisfaction.")) from exc
    return desk


@login_required
@admins_only
def desk_cooperation(request: HttpRequest, desk_id: int) -> HttpResponse:
    """A desk's admins: how its unit keeps its promises, and how satisfied its requesters are."""
    desk = _admin_desk(request, desk_id)
    form = PeriodForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    period = period_of(values, now=now, zone=timezone.get_current_timezone())
    unit = desk.unit
    span = {"start": period.start, "end": period.end}
    people = Paginator(
        selectors.kept_rates_by_person(unit=unit, **span), PEOPLE_PAGE_SIZE, allow_empty_first_page=True
    ).get_page(request.GET.get("people_page"))
    broken = Paginator(IdsFirst(selectors.commitments_broken_of_unit(unit=unit, **span)), PAGE_SIZE).get_page(
        request.GET.get("broken_page")
    )
    follow_ups = Paginator(IdsFirst(selectors.follow_ups_open_of_desk(desk_id=desk.pk)), PAGE_SIZE).get_page(
        request.GET.get("follow_ups_page")
    )
    unit_rate = selectors.kept_rate_for_unit(unit_id=unit.pk, **span)
    team_rate = selectors.kept_rate_for_team(unit_id=unit.pk, **span)
    satisfaction = selectors.satisfaction_of_desk(desk_id=desk.pk, **span)
    employee = desk_selectors.access_for(actor(request)).employee
    query = _period_query(values)
    return render(
        request,
        "servicedesk/cooperation/desk.html",
        {
            "desk": desk,
            "form": form,
            "period": period,
            "query": query,
            "period_fields": list(QueryDict(query).items()),
            "amp_query": f"&{query}" if query else "",
            "unit_rate": unit_rate,
            "unit_percent": percent(unit_rate.rate),
            "team_rate": team_rate,
            "team_percent": percent(team_rate.rate),
            "people_page": people,
            "people": [(row, percent(row.kept_rate.rate)) for row in people.object_list],
            "broken_page": broken,
            "broken": _promise_rows(broken.object_list, now),
            "follow_ups_page": follow_ups,
            "follow_ups": follow_ups.object_list,
            "myself": employee,
            "satisfaction": satisfaction,
            "ratings": rating_rows(satisfaction),
            "agreements": unit_agreements(actor=actor(request), unit=unit, start=period.start, end=period.end),
        },
    )


@login_required
@admins_only
@require_POST
def follow_up_done(request: HttpRequest, desk_id: int, follow_up_id: int) -> HttpResponse:
    me = actor(request)
    _admin_desk(request, desk_id)
    follow_up = get_or_404(selectors.follow_up_get_for, actor=me, desk_id=desk_id, follow_up_id=follow_up_id)
    try:
        services.follow_up_complete(actor=me, follow_up=follow_up)
    except Conflict as exc:
        messages.error(request, exc.message)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    else:
        messages.success(request, _("The follow-up of %(key)s is done.") % {"key": follow_up.request.key})
    form = PeriodForm(request.POST)
    query = _period_query(form.cleaned_data if form.is_valid() else {})
    url = reverse("servicedesk:desk-cooperation", args=[desk_id])
    return redirect(f"{url}?{query}" if query else url)


@login_required
def cooperation_desks(request: HttpRequest) -> HttpResponse:
    """The desks whose cooperation figures I may see (those I administer)."""
    return render(
        request,
        "servicedesk/cooperation/desks.html",
        {"desks": desk_selectors.desk_list_admin_for(actor=actor(request))},
    )


REQUEST = "requests/<str:prefix>-<int:number>/"

urlpatterns: list[URLPattern] = [
    path(f"{REQUEST}commit/", commit, name="request-commit"),
    path(f"{REQUEST}commitment/revise/", revise, name="request-commitment-revise"),
    path(f"{REQUEST}needed-by/", needed_by, name="request-needed-by"),
    path(f"{REQUEST}needed-by/<int:needed_by_id>/respond/", needed_by_respond, name="request-needed-by-respond"),
    path(f"{REQUEST}feedback/", feedback, name="request-feedback"),
    path(f"{REQUEST}thanks/", thanks, name="request-thanks"),
    path("promises/", promises, name="promises"),
    path("promises/<int:commitment_id>/done/", promise_done, name="promise-done"),
    path("desk/cooperation/", cooperation_desks, name="cooperation-desks"),
    path("desk/<int:desk_id>/cooperation/", desk_cooperation, name="desk-cooperation"),
    path(
        "desk/<int:desk_id>/cooperation/follow-ups/<int:follow_up_id>/done/",
        follow_up_done,
        name="follow-up-done",
    ),
]
