"""Directory pages. As thin as the API: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from insideout.core.errors import Forbidden, NotFound
from insideout.people import selectors, services
from insideout.people.forms import PeopleSearchForm, ProfileForm, TokenForm
from insideout.people.models import Employee, User

PAGE_SIZE = 25


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _get_or_404(func: Any, **kwargs: Any) -> Any:
    try:
        return func(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(exc.message) from exc


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form = PeopleSearchForm(request.GET)
    form.is_valid()
    q = form.cleaned_data.get("q") or ""
    unit_id = form.cleaned_data.get("unit")
    unit = _get_or_404(selectors.unit_get_for, actor=_actor(request), unit_id=unit_id) if unit_id else None
    people = _get_or_404(selectors.employee_list_for, actor=_actor(request), q=q, unit_id=unit_id)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "q": q, "unit": unit, "page": page}
    if request.htmx and request.htmx.target == "results":  # type: ignore[attr-defined]
        return render(request, "people/partials/results.html", context)
    return render(request, "people/search.html", context)


@login_required
def person(request: HttpRequest, employee_id: int) -> HttpResponse:
    employee: Employee = _get_or_404(selectors.employee_get_for, actor=_actor(request), employee_id=employee_id)
    return render(
        request,
        "people/person.html",
        {
            "person": employee,
            "reports": list(selectors.employee_reports(employee=employee)[:50]),
            "history": selectors.employee_history(employee=employee),
            "is_me": employee.user_id == request.user.pk,
        },
    )


@login_required
def card(request: HttpRequest, employee_id: int) -> HttpResponse:
    employee = _get_or_404(selectors.employee_get_for, actor=_actor(request), employee_id=employee_id)
    return render(request, "people/partials/card.html", {"person": employee})


@login_required
def units(request: HttpRequest) -> HttpResponse:
    _get_or_404(selectors.unit_list_for, actor=_actor(request))
    return render(request, "people/units.html", {"roots": list(selectors.unit_roots())})


@login_required
def unit_children(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _get_or_404(selectors.unit_get_for, actor=_actor(request), unit_id=unit_id)
    return render(request, "people/partials/unit_children.html", {"children": list(selectors.unit_children(unit=unit))})


@login_required
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _get_or_404(selectors.unit_get_for, actor=_actor(request), unit_id=unit_id)
    members = Paginator(selectors.unit_members(unit=unit), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/unit.html",
        {
            "unit": unit,
            "ancestors": selectors.unit_ancestors(unit=unit),
            "children": list(selectors.unit_children(unit=unit)),
            "page": members,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_profile(request: HttpRequest) -> HttpResponse:
    employee = selectors.employee_of(_actor(request))
    if employee is None:
        return render(request, "people/no_profile.html", status=404)
    profile = employee.profile
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.profile_update(profile=profile, actor=_actor(request), **form.changes())
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = "working_days" if field == "working_hours" else field
                    for error in errors:
                        form.add_error(target if target in form.fields else None, error)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("people:my-profile")
    else:
        form = ProfileForm(initial=ProfileForm.initial_from(profile))
    return render(request, "people/my_profile.html", {"form": form, "person": employee})


@login_required
@require_http_methods(["GET", "POST"])
def my_tokens(request: HttpRequest) -> HttpResponse:
    created_secret = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, created_secret = services.api_token_create(
                    user=_actor(request), name=form.cleaned_data["name"], scope=form.cleaned_data["scope"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                form = TokenForm()
    else:
        form = TokenForm()
    tokens = selectors.api_token_list_for(user=_actor(request))
    return render(request, "people/tokens.html", {"form": form, "tokens": tokens, "created_secret": created_secret})


@login_required
@require_POST
def my_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = _get_or_404(selectors.api_token_get_for, user=_actor(request), token_id=token_id)
    services.api_token_revoke(token=token, actor=_actor(request))
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("people:my-tokens")
