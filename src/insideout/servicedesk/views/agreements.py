"""Internal service agreement pages: the list, writing one, its page with the decisions, revising it.

``/agreements/`` lists the agreements the caller may see (members of both units and of the units
below them, the leads above them); a unit lead starts one at ``/agreements/new/``. Its page shows
the parties, the terms in force beside the public targets, a pending proposal with what it changes,
the versions' timeline and the adherence report over a period. Those who sign for a side (the
leads of either unit or of a unit above it) propose, accept, decline or revise; each decision is a
POST that calls one service and answers with a message and a redirect back to the page. A refusal
the page can explain (a Conflict) is that message; a Forbidden one is a page that says why (403).
The terms form shows invalid input again with each message next to its input and nothing saved;
changing the providing unit shows its services (htmx swaps the form; without JavaScript a button
does it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insideout.core.errors import Conflict, Forbidden
from insideout.core.pagination import IdsFirst
from insideout.core.text import as_id
from insideout.people.models import User
from insideout.servicedesk import selectors as desk_selectors
from insideout.servicedesk.cooperation import agreement_selectors as selectors
from insideout.servicedesk.cooperation import agreements as services
from insideout.servicedesk.cooperation.models import Agreement, AgreementVersion, AgreementVersionState
from insideout.servicedesk.models import Desk, Service
from insideout.servicedesk.views.agreements_forms import AgreementForm, DecideForm, ListFilterForm
from insideout.servicedesk.views.agreements_page import (
    adherence_view,
    public_services,
    terms_view,
    unit_names,
    version_steps,
    waiting_sides,
)
from insideout.servicedesk.views.common import actor, get_or_404
from insideout.servicedesk.views.cooperation import Period, period_of
from insideout.servicedesk.views.cooperation_forms import PeriodForm
from insideout.servicedesk.views.portal import people_to_offer

PAGE_SIZE = 25
SIDES = (selectors.PROVIDER, selectors.CONSUMER)
# A new agreement's suggested review date.
FIRST_TERM = timedelta(days=365)


def _not_allowed(request: HttpRequest, reason: str, agreement: Agreement | None = None) -> HttpResponse:
    return render(
        request, "servicedesk/agreements/not_allowed.html", {"reason": reason, "agreement": agreement}, status=403
    )


def _agreement(request: HttpRequest, agreement_id: int) -> Agreement:
    found: Agreement = get_or_404(selectors.agreement_get_for, actor=actor(request), agreement_id=agreement_id)
    return found


def _back() -> HttpResponse:
    """Back to the agreement's page from one of its actions (``agreements/<id>/<action>/``)."""
    return redirect("../")


def _error_dict(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


# --- the list -------------------------------------------------------------------------------------


@login_required
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    """The agreements I may see, live ones first, by title; a unit lead may start one (the page asks
    the navigation's roles, already read, whether I lead a unit)."""
    me = actor(request)
    form = ListFilterForm(request.GET or None)
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    page = Paginator(IdsFirst(selectors.agreement_list_for(actor=me, state=state)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    employee = desk_selectors.access_for(me).employee
    query = QueryDict(mutable=True)
    if state:
        query["state"] = state
    return render(
        request,
        "servicedesk/agreements/list.html",
        {
            "form": form,
            "state": state,
            "page": page,
            "agreements": page.object_list,
            "amp_query": f"&{query.urlencode()}" if state else "",
            "has_person": employee is not None,
        },
    )


# --- writing and revising the terms -----------------------------------------------------------------


def _form_kwargs(request: HttpRequest, *, desk: Desk | None, data: QueryDict | None) -> dict[str, Any]:
    """What the terms form offers: the desk's services with their public targets, and the people
    its contact inputs list (the chosen ones, in a large organisation)."""
    services: list[Service] = desk_selectors.catalog_admin_for(desk=desk) if desk is not None else []
    chosen = [
        person
        for name in ("provider_contact", "consumer_contact")
        if data is not None and (person := as_id(data.get(name, ""))) is not None
    ]
    people, people_search = people_to_offer(request, chosen)
    return {
        "services": services,
        "public": selectors.public_targets(services=services) if services else {},
        "people": people,
        "people_search": people_search,
    }


def _proposing(data: QueryDict) -> bool:
    return data.get("action") == "propose"


def _others(me: User, agreement: Agreement) -> str:
    """The units of the sides the caller does not sign for: whom a proposal goes to."""
    mine = selectors.sides_of(actor=me, agreement=agreement)
    return unit_names(agreement, [side for side in SIDES if side not in mine])


def _proposed_words(agreement: Agreement, version: AgreementVersion, *, me: User) -> str:
    """What became of terms just proposed: in force at once (one lead signs for both), or waiting."""
    words = {"title": agreement.title, "start": date_format(version.starts_on, "DATE_FORMAT")}
    if version.state == AgreementVersionState.ACCEPTED:
        return _("Both sides have accepted “%(title)s”: its terms are in force from %(start)s.") % words
    words["others"] = _others(me, agreement)
    if agreement.current_id is not None:
        return (
            _("The revision of “%(title)s” is proposed to %(others)s; the terms in force stay until they accept.")
            % words
        )
    return _("“%(title)s” is proposed to %(others)s; it is in force once they accept.") % words


def _save(
    request: HttpRequest, form: AgreementForm, call: Callable[[dict[str, Any]], tuple[str, HttpResponse]]
) -> HttpResponse | None:
    """Hand a valid form to ``call`` (one service call, returning its message and where to go).
    None when the form is to be shown again: its own mistakes, the service's by their inputs, or a
    refusal (Conflict, Forbidden) above them; nothing is saved then."""
    if not form.is_valid():
        return None
    try:
        done, response = call(form.cleaned_data)
    except ValidationError as exc:
        form.add_service_errors(_error_dict(exc))
    except (Conflict, Forbidden) as exc:
        form.add_error(None, exc.message)
    else:
        messages.success(request, done)
        return response
    return None


def _render_form(request: HttpRequest, form: AgreementForm, **context: Any) -> HttpResponse:
    return render(request, "servicedesk/agreements/form.html", {"form": form, **context})


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest) -> HttpResponse:
    """A unit lead writes an agreement and saves it as a draft or proposes it at once."""
    me = actor(request)
    access = desk_selectors.access_for(me)
    if not selectors.led_unit_paths(employee=access.employee):
        return _not_allowed(
            request,
            _(
                "Only unit leads write agreements: the lead of the unit that provides the services, or of the "
                "unit they serve (or a lead above either)."
            ),
        )
    data = request.POST if request.method == "POST" else None
    refresh = data is not None and "refresh" in data
    desks = list(desk_selectors.desk_list())
    provider_id = as_id((data or request.GET).get("provider", ""))
    if provider_id is None and data is None:
        # A lead of a unit with a desk most likely writes for that desk.
        provider_id = next((desk.unit_id for desk in desks if desk.pk in access.admin_desk_ids), None)
    desk = next((desk for desk in desks if desk.unit_id == provider_id), None)
    kwargs = _form_kwargs(request, desk=desk, data=data) | {
        "providers": [desk.unit for desk in desks],
        "consumers": desk_selectors.unit_choices(),
    }
    if data is None or refresh:
        today = timezone.localdate()
        initial = (
            AgreementForm.initial_from_data(data)
            if data is not None
            else {"provider": provider_id, "starts_on": today, "review_on": today + FIRST_TERM, "remind_days": 14}
        )
        form = AgreementForm(initial=initial, **kwargs)
    else:
        form = AgreementForm(data, **kwargs)

        def create(values: dict[str, Any]) -> tuple[str, HttpResponse]:
            agreement = services.agreement_create(
                actor=me,
                provider_id=values["provider"],
                consumer_id=values["consumer"],
                title=values["title"],
                terms=form.terms(),
                propose=_proposing(data),
            )
            if _proposing(data):
                done = _proposed_words(agreement, selectors.versions_of(agreement=agreement)[0], me=me)
            else:
                done = _("The draft “%(title)s” is saved. Propose it to the other side when it is ready.") % {
                    "title": agreement.title
                }
            return done, redirect("servicedesk:agreement", agreement_id=agreement.pk)

        if (saved := _save(request, form, create)) is not None:
            return saved
    return _render_form(request, form, agreement=None, desk=desk)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_revise(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Those who sign for a side change the terms: the draft, the pending proposal, or the terms in force."""
    me = actor(request)
    agreement = _agreement(request, agreement_id)
    if not selectors.sides_of(actor=me, agreement=agreement):
        return _not_allowed(
            request,
            _("Only the leads of %(provider)s and %(consumer)s change this agreement's terms.")
            % {"provider": agreement.provider.name, "consumer": agreement.consumer.name},
            agreement,
        )
    pending = selectors.pending_of(agreement=agreement)
    data = request.POST if request.method == "POST" else None
    desk = getattr(agreement.provider, "desk", None)
    kwargs = _form_kwargs(request, desk=desk, data=data) | {
        "parties": (agreement.provider, agreement.consumer),
        "needs_reason": agreement.current_id is not None,
    }
    if data is None:
        base = pending or agreement.current
        initial = AgreementForm.initial_from(base, title=agreement.title) if base is not None else {}
        if pending is not None and pending.reason:
            initial["reason"] = pending.reason
        form = AgreementForm(initial=initial, **kwargs)
    else:
        form = AgreementForm(data, **kwargs)

        def revise(values: dict[str, Any]) -> tuple[str, HttpResponse]:
            version = services.agreement_revise(
                actor=me,
                agreement=agreement,
                terms=form.terms(),
                reason=values.get("reason") or "",
                title=values["title"],
                propose=_proposing(data),
            )
            if version.state == AgreementVersionState.DRAFT:
                return _("The draft of “%(title)s” is saved.") % {"title": agreement.title}, _back()
            return _proposed_words(agreement, version, me=me), _back()

        if (saved := _save(request, form, revise)) is not None:
            return saved
    return _render_form(request, form, agreement=agreement, desk=desk, pending=pending)


# --- the page -------------------------------------------------------------------------------------


def _period(request: HttpRequest, agreement: Agreement) -> tuple[PeriodForm, Period]:
    """The report's period: the days chosen (both included), by default from the day it came into
    force to today; a period that does not work falls back to that, and its form says why."""
    activated = agreement.activated_at or agreement.created_at
    first, last = timezone.localdate(activated), timezone.localdate()
    default: dict[str, Any] = {"period": "custom", "start": first, "end": last}
    data = request.GET.copy()
    for name, day in (("start", first), ("end", last)):
        if not data.get(name):
            data[name] = day.isoformat()
    data["period"] = "custom"
    form = PeriodForm(data)
    values = form.cleaned_data if form.is_valid() else default
    return form, period_of(values, now=timezone.now(), zone=timezone.get_current_timezone())


@login_required
@require_GET
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    standing = selectors.standing_of(actor=actor(request), agreement=agreement)
    current, pending, sides, versions = standing.current, standing.pending, standing.sides, standing.versions
    public = selectors.public_targets(services=public_services([current, pending]))
    mine_waiting = list(standing.to_accept)
    proposed = standing.proposed
    context: dict[str, Any] = {
        "agreement": agreement,
        "sides": sides,
        "signs": bool(sides),
        "provider_side": selectors.PROVIDER in sides,
        "consumer_side": selectors.CONSUMER in sides,
        "current": current,
        "current_terms": terms_view(current, public=public) if current is not None else None,
        "pending": pending,
        "pending_terms": terms_view(pending, public=public, against=current) if pending is not None else None,
        "waiting_on": unit_names(agreement, standing.waiting_sides),
        "can_propose": bool(sides) and pending is not None and pending.state == AgreementVersionState.DRAFT,
        "can_accept": bool(mine_waiting),
        "accept_for": unit_names(agreement, mine_waiting),
        "can_decline": bool(sides) and proposed,
        # Declining one's own side's proposal is taking it back.
        "withdraws": bool(sides) and proposed and not mine_waiting,
        "decide_form": DecideForm(auto_id="decline-%s"),
        "timeline": version_steps(agreement, versions),
    }
    if agreement.activated_at is not None:
        form, period = _period(request, agreement)
        report = selectors.adherence_of(agreement=agreement, start=period.start, end=period.end)
        context.update(period_form=form, period_words=period.label, adherence=adherence_view(report))
    return render(request, "servicedesk/agreements/detail.html", context)


# --- decisions ------------------------------------------------------------------------------------


def _decide(request: HttpRequest, agreement_id: int, call: Callable[[User, Agreement], str]) -> HttpResponse:
    """Run one decision: its message and back to the page; a Conflict's message likewise; a
    Forbidden one a page that says why."""
    me = actor(request)
    agreement = _agreement(request, agreement_id)
    try:
        done = call(me, agreement)
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Forbidden as exc:
        return _not_allowed(request, exc.message, agreement)
    else:
        messages.success(request, done)
    return _back()


@login_required
@require_POST
def agreement_propose(request: HttpRequest, agreement_id: int) -> HttpResponse:
    def call(me: User, agreement: Agreement) -> str:
        version = services.agreement_propose(actor=me, agreement=agreement)
        return _proposed_words(agreement, version, me=me)

    return _decide(request, agreement_id, call)


@login_required
@require_POST
def agreement_accept(request: HttpRequest, agreement_id: int) -> HttpResponse:
    def call(me: User, agreement: Agreement) -> str:
        version = services.agreement_accept(actor=me, agreement=agreement)
        words = {"title": agreement.title, "consumer": agreement.consumer.name}
        if version.state == AgreementVersionState.ACCEPTED:
            return _("“%(title)s” is in force: requests from %(consumer)s run under its targets.") % words
        sides = selectors.sides_of(actor=me, agreement=agreement)
        words["mine"] = unit_names(agreement, [side for side in SIDES if side in sides])
        words["others"] = unit_names(agreement, waiting_sides(version))
        return _("You accepted for %(mine)s; “%(title)s” now waits for %(others)s.") % words

    return _decide(request, agreement_id, call)


@login_required
@require_POST
def agreement_decline(request: HttpRequest, agreement_id: int) -> HttpResponse:
    form = DecideForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""

    def call(me: User, agreement: Agreement) -> str:
        pending = selectors.pending_of(agreement=agreement)
        sides = selectors.sides_of(actor=me, agreement=agreement)
        # Those whose sides have all accepted the proposal take it back rather than decline it.
        withdraws = pending is not None and not [side for side in waiting_sides(pending) if side in sides]
        version = services.agreement_decline(actor=me, agreement=agreement, reason=reason)
        if version.state == AgreementVersionState.DRAFT:
            if withdraws:
                return _("Your proposal is withdrawn; the agreement is a draft again.")
            return _("The proposal is declined; the agreement is a draft again, and the other side is told.")
        if withdraws:
            return _("Your revision is withdrawn; the terms in force stay.")
        return _("The revision is declined; the terms in force stay, and the other side is told.")

    return _decide(request, agreement_id, call)


AGREEMENT = "agreements/<int:agreement_id>/"

urlpatterns: list[URLPattern] = [
    path("agreements/", agreement_list, name="agreements"),
    path("agreements/new/", agreement_new, name="agreement-new"),
    path(AGREEMENT, agreement_detail, name="agreement"),
    path(f"{AGREEMENT}revise/", agreement_revise, name="agreement-revise"),
    path(f"{AGREEMENT}propose/", agreement_propose, name="agreement-propose"),
    path(f"{AGREEMENT}accept/", agreement_accept, name="agreement-accept"),
    path(f"{AGREEMENT}decline/", agreement_decline, name="agreement-decline"),
]
