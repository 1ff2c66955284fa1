"""Spot awards: the approvals inbox, the one-click decisions, and giving an award from a budget.

``/recognition/approvals/`` lists the awards waiting for me (I am the giver's manager, or I am in
people-ops), each with Approve and Reject buttons (one POST each), and the awards I gave, with their
state. ``/recognition/awards/<id>/`` shows one award to who may decide on it, with the same buttons:
the approver's notification links there, so a decision is one click from it.
``/recognition/awards/new/`` is for people with a budget (managers and unit leads): it shows what
is left of it this month and above how many points an award waits for a second approver.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insideout.recognition import awards, selectors
from insideout.recognition.models import Award, AwardState
from insideout.recognition.views.common import (
    actor,
    attempt,
    get_or_404,
    ids_of,
    me,
    member,
    members_only,
    next_url,
    people_lists,
    refused,
    section,
)
from insideout.recognition.views.forms import AwardForm, NoteForm

GIVEN_SHOWN = 20


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """The awards waiting for my decision, the oldest first, and the last awards I gave."""
    employee = member(request)
    context = section(request, "approvals")
    context.update(
        {
            "waiting": list(selectors.awards_waiting_for(actor=actor(request))),
            "given": list(selectors.awards_given_by(employee_id=employee.pk)[:GIVEN_SHOWN]) if employee else [],
            "note_form": NoteForm(auto_id="note-%s"),
        }
    )
    return render(request, "recognition/approvals.html", context)


def _decide(request: HttpRequest, award_id: int, *, approve: bool) -> HttpResponse:
    me_user = actor(request)
    award: Award = get_or_404(selectors.award_get_for, actor=me_user, award_id=award_id)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    decide = awards.award_approve if approve else awards.award_reject
    decided = attempt(request, lambda: decide(actor=me_user, award=award, note=note))
    if decided is not None:
        words = {"points": decided.points, "name": award.recipient.name, "giver": award.giver.name}
        if decided.state == AwardState.PAID:
            messages.success(request, _("Approved: %(name)s receives %(points)d points from %(giver)s.") % words)
        else:
            messages.success(request, _("Rejected: the %(points)d points go back to %(giver)s's budget.") % words)
    return redirect(next_url(request, reverse("recognition:approvals")))


@login_required
@require_GET
def award_page(request: HttpRequest, award_id: int) -> HttpResponse:
    """One spot award, for who may decide on it (an approver's notification links here): its Approve
    and Reject buttons decide in one click while it waits. The giver and the recipient are told to
    look elsewhere (403); anyone else is not told it exists (404)."""
    me_user = actor(request)
    award: Award = get_or_404(selectors.award_get_for, actor=me_user, award_id=award_id)
    if not awards.may_decide(actor=me_user, award=award):
        return refused(
            request,
            _(
                "Only the giver's manager or people-ops decide on a spot award. You find the awards you gave under "
                "Spot awards, and those you received under My points."
            ),
        )
    context = section(request, "approvals")
    context.update({"award": award, "here": request.get_full_path()})
    return render(request, "recognition/award.html", context)


@login_required
@require_POST
def approve(request: HttpRequest, award_id: int) -> HttpResponse:
    return _decide(request, award_id, approve=True)


@login_required
@require_POST
def reject(request: HttpRequest, award_id: int) -> HttpResponse:
    return _decide(request, award_id, approve=False)


def approver_words(manager_name: str) -> str:
    if manager_name:
        return _("your manager, %(name)s, or people-ops") % {"name": manager_name}
    return _("people-ops")


@login_required
@members_only
@require_http_methods(["GET", "POST"])
def award_new(request: HttpRequest) -> HttpResponse:
    """A spot award from my budget to one person; a large one waits for a second approver."""
    employee = me(request)
    context = section(request, "approvals")
    if not context["has_budget"]:
        return refused(request, _("Only managers and unit leads have a spot-award budget to give awards from."))
    values = list(selectors.values_active())
    form = AwardForm(request.POST or None, values=values)
    if request.method == "POST" and form.is_valid() and not request.POST.get("find"):
        data = form.cleaned_data
        award = attempt(
            request,
            lambda: awards.award_create(
                actor=actor(request),
                to=data["to"],
                points=data["points"] if data["points"] is not None else 0,
                reason=data["reason"],
                values=data["values"],
            ),
            form=form,
            conflict_field="points",  # more than the budget has left
        )
        if award is not None:
            words = {"name": award.recipient.name, "points": award.points}
            if award.state == AwardState.PAID:
                messages.success(request, _("%(name)s receives a spot award of %(points)d points.") % words)
            else:
                words["approver"] = award.approver.name if award.approver is not None else _("people-ops")
                messages.success(
                    request,
                    _(
                        "Your award of %(points)d points to %(name)s waits for approval by %(approver)s; the points "
                        "are held until then."
                    )
                    % words,
                )
            return redirect("recognition:approvals")
    source = request.POST if request.method == "POST" else request.GET
    chosen, found = people_lists(
        chosen_ids=ids_of(source.getlist("to"))[:1], q=(source.get("people_q") or "")[:100], employee=employee
    )
    manager = employee.manager if employee.manager_id and employee.manager and employee.manager.is_active else None
    context.update(
        {
            "form": form,
            "values": values,
            "chosen_values": {str(v) for v in (request.POST.getlist("values") if form.is_bound else [])},
            "chosen": chosen,
            "found": found,
            "q": source.get("people_q", ""),
            "budget": context["nav_points"].budget,
            "threshold": awards.approval_threshold(),
            "approver": approver_words(manager.name if manager is not None else ""),
        }
    )
    return render(request, "recognition/award_new.html", context)
