"""The recognition wall, giving recognition, and boosting it.

``/recognition/`` shows the public recognitions, newest first (tabs: those I received, those I
gave), filtered by my unit, a value or a person; each card offers the others a "Boost +N" that
htmx posts and swaps in place (without JavaScript the page comes back). ``/recognition/give/``
recognises people, chosen one by one with a search that htmx fills, or a whole team: while the
giver chooses, the allowance line ("You have 70 points left this month; this gives 40") and who
will see it follow along. Invalid input comes back with each message next to its input and
nothing given. Ticking "Also e-mail them a thank-you" sends each recipient a personal e-mail
(``recognition/thanks.py``) once the recognition is saved. Other pages link to it with
``?to=<person id>`` and ``?for=request:<id>&label=…``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insideout.core.pagination import IdsFirst, Loaded, window_of
from insideout.core.text import as_id
from insideout.people.models import Employee
from insideout.recognition import facade, selectors, services, thanks
from insideout.recognition.models import Recognition, Value, Visibility
from insideout.recognition.templatetags.recognition_tags import card_body_html
from insideout.recognition.views.common import (
    PICK_LIMIT,
    actor,
    attempt,
    get_or_404,
    ids_of,
    me,
    member,
    members_only,
    next_url,
    people_lists,
    section,
)
from insideout.recognition.views.forms import BoostForm, GiveForm, WallFilterForm, typed_points

PAGE_SIZE = 20
NO_BOOSTS = selectors.Boosts()
BOOST_POINTS = 10
# What ``?for=`` may name, as other contexts call their subjects.
FOR_KINDS = {
    "request": "servicedesk.request",
    "commitment": "servicedesk.commitment",
    "module": "learning.module",
}


# --- the wall ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """A recognition as the wall shows it to the person looking."""

    recognition: selectors.Shown
    boosts: selectors.Boosts
    can_boost: bool
    boost_points: int
    is_mine: bool
    body: str = ""  # the card's part that is the same for every reader (``card_body_html``), if built already

    @property
    def recipients(self) -> tuple[selectors.Recipient, ...]:
        return self.recognition.recipients

    @property
    def values(self) -> tuple[selectors.Named, ...]:
        return self.recognition.values

    @property
    def points_each(self) -> int:
        recipients = self.recognition.recipients
        return recipients[0].points if recipients else 0


def cards_of(
    recognitions: Sequence[selectors.Shown],
    *,
    employee: Employee | None,
    allowance: int,
    bodies: Mapping[int, str] | None = None,
) -> list[Card]:
    """Cards for recognitions read with ``selectors.shown_by_id`` (one more query: the boosts), with
    their bodies when ``bodies`` has them (``shown_for_wall``)."""
    boosts = selectors.boosts_of(
        recognition_ids=[r.pk for r in recognitions], employee_id=employee.pk if employee else None
    )
    me_id = employee.pk if employee is not None else None
    cards = []
    for recognition in recognitions:
        recipients = recognition.recipients
        mine = me_id is not None and (me_id == recognition.giver.pk or any(p.pk == me_id for p in recipients))
        cards.append(
            Card(
                recognition=recognition,
                boosts=boosts.get(recognition.pk, NO_BOOSTS),
                can_boost=(
                    me_id is not None
                    and not mine
                    and recognition.visibility == Visibility.PUBLIC
                    and allowance > 0
                    and bool(recipients)
                ),
                boost_points=min(BOOST_POINTS, allowance),
                is_mine=mine,
                body=bodies.get(recognition.pk, "") if bodies else "",
            )
        )
    return cards


def shown_for_wall(ids: list[int]) -> dict[int, tuple[selectors.Shown, str]]:
    """The recognitions of a page of the wall with their cards' bodies, by id.

    A recognition never changes once given (its boosts are read afresh on every view), and the
    first pages of the wall are what everyone reads, so each worker process keeps what it read and
    built for ``RECOGNITION_CARD_CACHE_SECONDS`` (a minute by default; 0 keeps nothing), by
    language: reading and building twenty cards cost a quarter of the page. Someone renamed, or a
    value renamed, shows with the old name on cards kept before, for that long at most."""
    seconds = int(settings.RECOGNITION_CARD_CACHE_SECONDS)
    if seconds <= 0:
        return {pk: (shown, card_body_html(shown)) for pk, shown in selectors.shown_by_id(ids).items()}
    language = get_language()
    keys = {pk: f"recognition:card:{language}:{pk}" for pk in ids}
    kept = cache.get_many(keys.values())
    found = {pk: kept[key] for pk, key in keys.items() if key in kept}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        built = {pk: (shown, card_body_html(shown)) for pk, shown in selectors.shown_by_id(missing).items()}
        cache.set_many({keys[pk]: value for pk, value in built.items()}, timeout=seconds)
        found.update(built)
    return found


@login_required
@require_GET
def wall(request: HttpRequest) -> HttpResponse:
    """Public recognitions, newest first; the tabs show those I received and those I gave."""
    employee = member(request)
    values = list(selectors.values_active())
    form = WallFilterForm(request.GET or None, values=values)
    chosen = form.values_or_defaults()
    scope = chosen["scope"] or "wall"
    unit_id = (employee.unit_id or 0) if chosen["my_unit"] and employee is not None else None
    recognitions = selectors.recognition_list_for(
        actor=actor(request),
        scope=scope,
        value_id=chosen["value"],
        unit_id=unit_id,
        person_id=chosen["person"],
        member=employee,
    )
    # Not counted: the wall may hold a million recognitions, and counting them cost more than the page.
    page = window_of(Loaded(IdsFirst(recognitions), shown_for_wall), request.GET.get("page"), PAGE_SIZE)
    context = section(request, "wall")
    points = context["nav_points"]
    filters = QueryDict(mutable=True)
    for name in ("value", "person"):
        if chosen[name]:
            filters[name] = str(chosen[name])
    if chosen["my_unit"]:
        filters["my_unit"] = "on"
    person = selectors.people_named(employee_ids=[chosen["person"]]) if chosen["person"] else []
    # Without JavaScript the filter's search is sent with the form: its matches fill the list.
    person_q = request.GET.get("person_q", "")[:100].strip()
    filter_people = selectors.people_to_pick(q=person_q, limit=PICK_LIMIT) if person_q else person
    query = filters.copy()
    if scope != "wall":
        query["scope"] = scope
    context.update(
        {
            "form": form,
            "scope": scope,
            "page": page,
            "cards": cards_of(
                [shown for shown, _body in page],
                employee=employee,
                allowance=points.allowance if points else 0,
                bodies={shown.pk: body for shown, body in page},
            ),
            "filtered": bool(filters),
            "filter_query": filters.urlencode(),
            "amp_query": f"&{query.urlencode()}" if query else "",
            "filter_person": person[0] if person else None,
            "filter_people": filter_people,
            "person_q": person_q,
            "here": request.get_full_path(),
        }
    )
    return render(request, "recognition/wall.html", context)


@login_required
@require_GET
def recognition_page(request: HttpRequest, recognition_id: int) -> HttpResponse:
    """One recognition, for those who may see it (its notifications link here): 404 for the others."""
    recognition = get_or_404(selectors.shown_for, actor=actor(request), recognition_id=recognition_id)
    context = section(request, "wall")
    points = context["nav_points"]
    [card] = cards_of([recognition], employee=member(request), allowance=points.allowance if points else 0)
    context.update({"card": card, "here": request.get_full_path()})
    return render(request, "recognition/recognition.html", context)


@login_required
@require_POST
def boost(request: HttpRequest, recognition_id: int) -> HttpResponse:
    """Add points of my allowance to each recipient of a public recognition."""
    me_user = actor(request)
    recognition: Recognition = get_or_404(selectors.recognition_get_for, actor=me_user, recognition_id=recognition_id)
    form = BoostForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Boost with a whole number of points."))
    else:
        points = form.cleaned_data["points"]
        given = attempt(
            request, lambda: services.recognition_boost(actor=me_user, recognition=recognition, points=points)
        )
        if given is not None:
            names = ", ".join(row.employee.name for row in recognition.recipients.all())
            messages.success(
                request,
                ngettext(
                    "You boosted the recognition of %(names)s: +%(points)d point each.",
                    "You boosted the recognition of %(names)s: +%(points)d points each.",
                    given.points,
                )
                % {"names": names, "points": given.points},
            )
    if request.htmx:  # type: ignore[attr-defined]
        return _card(request, recognition_id)
    return redirect(next_url(request, reverse("recognition:wall")))


def _card(request: HttpRequest, recognition_id: int) -> HttpResponse:
    """One card again, after a boost, with the message and the navigation's points (out of band)."""
    employee = member(request)
    recognition = selectors.shown_by_id([recognition_id])[recognition_id]
    points = selectors.points_of(employee_id=employee.pk) if employee is not None else None
    card = cards_of([recognition], employee=employee, allowance=points.allowance if points else 0)[0]
    context = {"card": card, "nav_points": points, "oob": True, "here": next_url(request, reverse("recognition:wall"))}
    return render(request, "recognition/partials/card.html", context)


@login_required
@require_GET
def nav_points(request: HttpRequest) -> HttpResponse:
    """The navigation's points, loaded after the page by htmx so that no page pays for them."""
    points = facade.points_for(user=actor(request))
    if points is None:
        return HttpResponse("")
    return render(request, "recognition/partials/nav_points.html", {"nav_points": points})


# --- giving --------------------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a recognition being written would do: the points it gives from the allowance, and who
    will see it (the most private of the recipients' preferences)."""

    allowance: int
    each: int
    recipients: list[Employee] = field(default_factory=list)
    visibility: str = Visibility.PUBLIC
    includes_me: bool = False
    points_problem: str = ""  # what sending would refuse about the points (negative, over a pair's cap)

    @property
    def count(self) -> int:
        return len(self.recipients)

    @property
    def total(self) -> int:
        return self.each * self.count

    @property
    def over(self) -> int:
        return max(0, self.total - self.allowance)

    @property
    def allowance_words(self) -> str:
        left = ngettext(
            "You have %(left)d point left this month",
            "You have %(left)d points left this month",
            self.allowance,
        ) % {"left": self.allowance}
        if not self.total:
            return _("%(left)s; this recognition gives no points.") % {"left": left}
        if self.count == 1:
            gives = _("this gives %(total)d to %(name)s") % {"total": self.total, "name": self.recipients[0].name}
        else:
            gives = _("this gives %(total)d (%(each)d each to %(count)d people)") % {
                "total": self.total,
                "each": self.each,
                "count": self.count,
            }
        return f"{left}; {gives}."

    @property
    def visibility_words(self) -> str:
        if not self.recipients:
            return _("Choose people or a team to see who will see it.")
        if self.visibility == Visibility.PRIVATE:
            return _(
                "Private: only you, the people you recognise and their managers will see it, because one of "
                "them prefers to be recognised privately."
            )
        if self.visibility == Visibility.TEAM:
            return _(
                "Within their teams: the members of the recipients' units will see it, because one of them "
                "prefers to be recognised within their team."
            )
        return _("Public: it goes on the wall, where everyone in the organisation sees it and may boost it.")


def give_summary(
    *, employee: Employee, allowance: int, chosen: Sequence[Employee], team_id: object, points: int
) -> Summary:
    """The summary of a recognition before it is sent (what ``recognition_give`` would make of it),
    for the people chosen (``selectors.people_named``) and the team."""
    includes_me = any(person.pk == employee.pk for person in chosen)
    recipients = [person for person in chosen if person.pk != employee.pk]
    team_pk = as_id(team_id) if team_id not in (None, "") else None
    if team_pk is not None:
        known = {person.pk for person in recipients}
        recipients += [
            person
            for person in selectors.team_members(unit_id=team_pk, exclude_id=employee.pk)
            if person.pk not in known
        ]
    preferences = [getattr(getattr(person, "profile", None), "recognition_preference", "") for person in recipients]
    if points < 0:
        problem = _("Points cannot be negative.")
    else:
        problem = services.pair_cap_refusal(employee, recipients, points, timezone.now())
    return Summary(
        allowance=allowance,
        each=max(0, points),
        recipients=recipients,
        visibility=services.visibility_for(preferences),
        includes_me=includes_me,
        points_problem=problem,
    )


def _for_ref(data: dict[str, Any]) -> tuple[str, str, str] | None:
    """``request:12`` and its label as (subject type, id, label); None for anything else."""
    kind, _colon, pk = str(data.get("for_ref") or "").partition(":")
    subject = FOR_KINDS.get(kind)
    if subject is None or as_id(pk) is None:
        return None
    return subject, pk, str(data.get("for_label") or "")[:200]


def _message_of(recognition: Recognition) -> str:
    if recognition.team is not None:
        names = recognition.team.name
    else:
        names = ", ".join(row.employee.name for row in recognition.recipients.select_related("employee__user"))
    if recognition.points_total:
        return _("You recognised %(names)s and gave %(points)d points from your allowance.") % {
            "names": names,
            "points": recognition.points_total,
        }
    return _("You recognised %(names)s.") % {"names": names}


@login_required
@members_only
@require_http_methods(["GET", "POST"])
def give(request: HttpRequest) -> HttpResponse:
    """The give-recognition form; a valid one recognises and goes to the wall (to the giver's own
    tab when it is not public, as the wall would not show it)."""
    values = list(selectors.values_active())
    if request.method == "POST":
        form = GiveForm(request.POST, values=values)
        if form.is_valid() and not request.POST.get("find"):
            data = form.cleaned_data
            recognition = attempt(
                request,
                lambda: services.recognition_give(
                    actor=actor(request),
                    to=data["to"],
                    team_id=data["team"],
                    message=data["message"],
                    values=data["values"],
                    points=data["points"] if data["points"] is not None else 0,
                    for_ref=_for_ref(data),
                ),
                form=form,
                conflict_field="points",  # more points than the allowance has left
            )
            if recognition is not None:
                messages.success(request, _message_of(recognition))
                if data["email_thanks"]:
                    thanks.thanks_email_after_commit(recognition_id=recognition.pk)
                    messages.info(request, _("Each of them gets your thank-you by e-mail too."))
                if recognition.visibility != Visibility.PUBLIC:
                    # The wall shows public recognitions only; the giver's own tab shows this one too.
                    return redirect(f"{reverse('recognition:wall')}?scope=given")
                return redirect("recognition:wall")
        chosen_ids: list[object] = list(request.POST.getlist("to"))
        team: object = request.POST.get("team", "")
    else:
        chosen_ids = [pk for pk in request.GET.getlist("to") if as_id(pk) is not None]
        team = request.GET.get("team", "")
        initial: dict[str, Any] = {"to": chosen_ids, "team": team, "points": 0}
        kind, _colon, pk = request.GET.get("for", "").partition(":")
        if kind in FOR_KINDS and as_id(pk) is not None:
            initial.update(for_ref=f"{kind}:{pk}", for_label=request.GET.get("label", "")[:200])
        form = GiveForm(initial=initial, values=values)
    return render(request, "recognition/give.html", _give_context(request, form, values, chosen_ids, team))


def _give_context(
    request: HttpRequest, form: GiveForm, values: list[Value], chosen_ids: Sequence[object], team: object
) -> dict[str, Any]:
    """The form's page: the people chosen and found (the search works without JavaScript too, by
    sending the form with "Find"), the values, the teams and the summary."""
    employee = me(request)
    context = section(request, "give")
    source = request.POST if request.method == "POST" else request.GET
    q = (source.get("people_q") or "")[:100]
    chosen, found = people_lists(chosen_ids=chosen_ids, q=q, employee=employee)
    points = form.points_value()
    data = form.data if form.is_bound else form.initial
    for_ref = _for_ref({"for_ref": data.get("for_ref", ""), "for_label": data.get("for_label", "")})
    context.update(
        {
            "form": form,
            "values": values,
            "chosen_values": {str(v) for v in (request.POST.getlist("values") if form.is_bound else [])},
            "chosen": chosen,
            "found": found,
            "q": q,
            "units": selectors.units_to_pick(),
            "team": str(team or ""),
            "for_ref": for_ref,
            "summary": give_summary(
                employee=employee, allowance=context["nav_points"].allowance, chosen=chosen, team_id=team, points=points
            ),
        }
    )
    return context


@login_required
@members_only
@require_GET
def give_preview(request: HttpRequest) -> HttpResponse:
    """The allowance line and who will see it, for the form as it stands (htmx)."""
    employee = me(request)
    points = typed_points(request.GET.get("points", ""))
    allowance = selectors.points_of(employee_id=employee.pk).allowance
    summary = give_summary(
        employee=employee,
        allowance=allowance,
        chosen=selectors.people_named(employee_ids=ids_of(request.GET.getlist("to"))),
        team_id=request.GET.get("team", ""),
        points=points,
    )
    return render(request, "recognition/partials/give_summary.html", {"summary": summary})


@login_required
@members_only
@require_GET
def give_people(request: HttpRequest) -> HttpResponse:
    """The people chosen and those found for what was typed, as ticked and unticked boxes (htmx).
    ``mode=one`` answers radio buttons, for a form that names one person."""
    employee = me(request)
    q = (request.GET.get("people_q") or request.GET.get("person_q") or "")[:100]
    mode = request.GET.get("mode", "")
    if mode == "options":  # the wall's filter: a list to choose one person from, oneself included
        people = selectors.people_to_pick(q=q, limit=PICK_LIMIT) if q.strip() else []
        return render(request, "recognition/partials/person_options.html", {"people": people, "q": q})
    chosen, found = people_lists(chosen_ids=request.GET.getlist("to"), q=q, employee=employee)
    one = mode == "one"
    if one:
        chosen = chosen[:1]
    return render(
        request, "recognition/partials/people_list.html", {"chosen": chosen, "found": found, "q": q, "one": one}
    )
