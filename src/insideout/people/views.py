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
from django.views.decorators.vary import vary_on_headers

from insideout.core.errors import Forbidden, NotFound
from insideout.core.pagination import IdsFirst
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
@vary_on_headers("HX-Request", "HX-Target")  # the same URL answers with a fragment or the page
def search(request: HttpRequest) -> HttpResponse:
    form = PeopleSearchForm(request.GET)
    form.is_valid()
    q = form.cleaned_data.get("q") or ""
    unit_id = form.cleaned_data.get("unit")
    unit = _get_or_404(selectors.unit_get_for, actor=_actor(request), unit_id=unit_id) if unit_id else None
    people = _get_or_404(selectors.employee_list_for, actor=_actor(request), q=q, unit_id=unit_id)
    page = Paginator(IdsFirst(people), PAGE_SIZE).get_page(request.GET.get("page"))
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
    roots = list(selectors.unit_roots())
    if len(roots) == 1 and roots[0].has_children:  # type: ignore[attr-defined]
        # Most organisations have one company at the top: open it, so the first look shows a tree.
        roots[0].preloaded_children = list(selectors.unit_children(unit=roots[0]))  # type: ignore[attr-defined]
    return render(request, "people/units.html", {"roots": roots})


@login_required
def unit_children(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _get_or_404(selectors.unit_get_for, actor=_actor(request), unit_id=unit_id)
    return render(request, "people/partials/unit_children.html", {"children": list(selectors.unit_children(unit=unit))})


@login_required
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _get_or_404(selectors.unit_get_for, actor=_actor(request), unit_id=unit_id)
    members = Paginator(IdsFirst(selectors.unit_members(unit=unit)), PAGE_SIZE).get_page(request.GET.get("page"))
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


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    """People-ops upload an HRIS export: a dry run shows problems or changes, a real run applies it."""
    from django.core.exceptions import PermissionDenied

    from insideout.people import imports
    from insideout.people.forms import ImportForm

    if not selectors.roles_for(_actor(request)).people_ops:
        raise PermissionDenied(_("Only people-ops can import people and units."))
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            kind, dry_run = form.cleaned_data["kind"], form.cleaned_data["dry_run"]
            deactivate_missing = kind == "people" and form.cleaned_data["deactivate_missing"]
            if kind == "units":
                result = imports.units_import(data=data, actor=_actor(request), dry_run=dry_run)
            else:
                result = imports.people_import(
                    data=data, actor=_actor(request), dry_run=dry_run, deactivate_missing=deactivate_missing
                )
            if result.ok:
                # The same choices for the next upload; the dry run stays ticked, so nothing is applied by accident.
                form = ImportForm(initial={"kind": kind, "deactivate_missing": deactivate_missing})
    else:
        # The admin's lists link here with ?kind=people or ?kind=units.
        kind = request.GET.get("kind")
        form = ImportForm(initial={"kind": kind} if kind in ("people", "units") else None)
    shown = 500
    return render(
        request,
        "people/import.html",
        {
            "form": form,
            "result": result,
            "summary": imports.summary_text(result) if result and result.ok else "",
            "errors": result.errors[:shown] if result else [],
            "changes": result.changes[:shown] if result else [],
            "hidden_errors": max(0, len(result.errors) - shown) if result else 0,
            "hidden_changes": max(0, len(result.changes) - shown) if result else 0,
        },
    )
