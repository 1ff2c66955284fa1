"""People-ops' pages of recognition: values and points rules, the rewards catalog, the fulfilment
queue, the fair-play report and the payroll export. Everyone else gets a page saying these are
people-ops' (403).

Each change is a POST that calls one service of ``catalog.py`` or ``rewards.py`` and comes back
with a message; invalid input shows the page again with each message next to its input and
nothing changed. The ledger's own check (``insideout ledger verify``) runs every night and writes
its result to the log; it is not repeated here, because over a large journal it takes longer than
a page may.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insideout.core.pagination import IdsFirst
from insideout.recognition import awards, catalog, reports, rewards, rules, selectors
from insideout.recognition.models import Redemption, Reward, Value
from insideout.recognition.views.common import actor, attempt, get_or_404, people_ops_only, section
from insideout.recognition.views.forms import (
    FairnessForm,
    FulfilForm,
    MonthForm,
    NoteForm,
    RewardForm,
    RuleForm,
    ValueForm,
)

PAGE_SIZE = 25


# --- values and points rules --------------------------------------------------------------------------


def _rule_rows(given: dict[str, RuleForm] | None = None) -> list[dict[str, Any]]:
    """Each event a rule can use, its rule (off when there is none) and its form."""
    stored = selectors.point_rules()
    rows = []
    for event_type, (label, _people) in rules.RULE_EVENTS.items():
        rule = stored.get(event_type)
        form = (given or {}).get(event_type) or RuleForm(
            initial={
                "event_type": event_type,
                "points": rule.points if rule else 0,
                "is_active": rule.is_active if rule else False,
            },
            auto_id=f"rule-{event_type.replace('.', '-')}-%s",
        )
        rows.append({"event_type": event_type, "label": label, "rule": rule, "form": form})
    return rows


def _values_page(
    request: HttpRequest, *, value_form: ValueForm | None = None, rule_forms: dict[str, RuleForm] | None = None
) -> HttpResponse:
    context = section(request, "manage", manage_tab="values")
    context.update(
        {
            "values": list(selectors.values_all()),
            "value_form": value_form or ValueForm(auto_id="value-%s"),
            "rules": _rule_rows(rule_forms),
            "settings": {
                "allowance": selectors.monthly_allowance(),
                "budget": selectors.monthly_budget(),
                "threshold": awards.approval_threshold(),
                "pair_cap": int(settings.RECOGNITION_PAIR_CAP),
                "per_unit": int(settings.RECOGNITION_POINTS_PER_CURRENCY_UNIT),
                "currency": settings.RECOGNITION_CURRENCY,
            },
        }
    )
    return render(request, "recognition/manage/values.html", context)


@login_required
@people_ops_only
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    """Values (add, edit, reorder, switch off), points rules, and the settings in force."""
    return _values_page(request)


@login_required
@people_ops_only
@require_POST
def value_create(request: HttpRequest) -> HttpResponse:
    form = ValueForm(request.POST, auto_id="value-%s")
    if form.is_valid():
        data = form.cleaned_data
        value = attempt(
            request,
            lambda: catalog.value_create(actor=actor(request), name=data["name"], description=data["description"]),
            form=form,
        )
        if value is not None:
            messages.success(request, _("“%(name)s” is one of the values now.") % {"name": value.name})
            return redirect("recognition:manage")
    return _values_page(request, value_form=form)


def _value(value_id: int) -> Value:
    found: Value = get_or_404(selectors.value_get, value_id=value_id)
    return found


@login_required
@people_ops_only
@require_http_methods(["GET", "POST"])
def value_edit(request: HttpRequest, value_id: int) -> HttpResponse:
    value = _value(value_id)
    if request.method == "POST":
        form = ValueForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            saved = attempt(
                request,
                lambda: catalog.value_update(
                    actor=actor(request),
                    value=value,
                    name=data["name"],
                    description=data["description"],
                    is_active=data["is_active"],
                ),
                form=form,
            )
            if saved is not None:
                messages.success(request, _("“%(name)s” is saved.") % {"name": value.name})
                return redirect("recognition:manage")
    else:
        form = ValueForm(initial={"name": value.name, "description": value.description, "is_active": value.is_active})
    context = section(request, "manage", manage_tab="values", value=value, form=form)
    return render(request, "recognition/manage/value.html", context)


@login_required
@people_ops_only
@require_POST
def value_move(request: HttpRequest, value_id: int) -> HttpResponse:
    value = _value(value_id)
    catalog.value_move(actor=actor(request), value=value, up=request.POST.get("direction") != "down")
    return redirect(f"{reverse('recognition:manage')}#values")


@login_required
@people_ops_only
@require_POST
def rule_set(request: HttpRequest) -> HttpResponse:
    event_type = request.POST.get("event_type", "")
    form = RuleForm(request.POST, auto_id=f"rule-{event_type.replace('.', '-')}-%s")
    if form.is_valid():
        data = form.cleaned_data
        rule = attempt(
            request,
            lambda: catalog.point_rule_set(
                actor=actor(request),
                event_type=data["event_type"],
                points=data["points"] if data["points"] is not None else 0,
                is_active=data["is_active"],
            ),
            form=form,
        )
        if rule is not None:
            label = rules.RULE_EVENTS[rule.event_type][0]
            if rule.is_active:
                messages.success(
                    request, _("On: %(rule)s, %(points)d points.") % {"rule": label, "points": rule.points}
                )
            else:
                messages.success(request, _("Off: %(rule)s.") % {"rule": label})
            return redirect(f"{reverse('recognition:manage')}#rules")
    if event_type not in rules.RULE_EVENTS:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(f"{reverse('recognition:manage')}#rules")
    return _values_page(request, rule_forms={event_type: form})


# --- the rewards catalog -------------------------------------------------------------------------------


@login_required
@people_ops_only
@require_GET
def rewards_manage(request: HttpRequest) -> HttpResponse:
    context = section(request, "manage", manage_tab="rewards", rewards=list(selectors.rewards_all()))
    return render(request, "recognition/manage/rewards.html", context)


def _reward_initial(reward: Reward) -> dict[str, Any]:
    return {
        "name": reward.name,
        "description": reward.description,
        "kind": reward.kind,
        "points_cost": reward.points_cost,
        "stock": reward.stock,
        "per_person_limit": reward.per_person_limit,
        "countries": ", ".join(reward.countries or []),
        "provider": reward.provider,
        "provider_sku": reward.provider_sku,
        "position": reward.position,
        "is_active": reward.is_active,
    }


def _reward_form_page(request: HttpRequest, reward: Reward | None) -> HttpResponse:
    if request.method == "POST":
        form = RewardForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.reward_input()
            saved = attempt(
                request,
                lambda: (
                    catalog.reward_create(actor=actor(request), data=data)
                    if reward is None
                    else catalog.reward_update(actor=actor(request), reward=reward, data=data)
                ),
                form=form,
            )
            if saved is not None:
                messages.success(request, _("“%(name)s” is saved in the catalog.") % {"name": saved.name})
                return redirect("recognition:manage-rewards")
    else:
        form = RewardForm(initial=_reward_initial(reward) if reward is not None else None)
    context = section(request, "manage", manage_tab="rewards", reward=reward, form=form)
    return render(request, "recognition/manage/reward.html", context)


@login_required
@people_ops_only
@require_http_methods(["GET", "POST"])
def reward_new(request: HttpRequest) -> HttpResponse:
    return _reward_form_page(request, None)


@login_required
@people_ops_only
@require_http_methods(["GET", "POST"])
def reward_edit(request: HttpRequest, reward_id: int) -> HttpResponse:
    reward: Reward = get_or_404(selectors.reward_get, reward_id=reward_id, in_catalog=False)
    return _reward_form_page(request, reward)


# --- fulfilment -----------------------------------------------------------------------------------------


@login_required
@people_ops_only
@require_GET
def fulfilment(request: HttpRequest) -> HttpResponse:
    """Held redemptions, the oldest first: mark each issued with its code or tracking note, or cancel it."""
    page = Paginator(IdsFirst(selectors.redemptions_held()), PAGE_SIZE).get_page(request.GET.get("page"))
    context = section(request, "manage", manage_tab="fulfilment", page=page, redemptions=page.object_list)
    return render(request, "recognition/manage/fulfilment.html", context)


def _decide_redemption(request: HttpRequest, redemption_id: int, *, issue: bool) -> HttpResponse:
    me_user = actor(request)
    redemption: Redemption = get_or_404(selectors.redemption_get_for, actor=me_user, redemption_id=redemption_id)
    form = FulfilForm(request.POST) if issue else NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    words = {"reward": redemption.reward.name, "name": redemption.employee.name}
    decided = attempt(
        request,
        lambda: (
            rewards.redemption_fulfil(actor=me_user, redemption=redemption, note=note)
            if issue
            else rewards.redemption_cancel(actor=me_user, redemption=redemption, reason=note)
        ),
    )
    if decided is not None:
        if issue:
            messages.success(request, _("%(reward)s for %(name)s is issued; they are told.") % words)
        else:
            messages.success(request, _("%(reward)s for %(name)s is cancelled; the points are back.") % words)
    return redirect("recognition:manage-fulfilment")


@login_required
@people_ops_only
@require_POST
def redemption_issue(request: HttpRequest, redemption_id: int) -> HttpResponse:
    return _decide_redemption(request, redemption_id, issue=True)


@login_required
@people_ops_only
@require_POST
def redemption_cancel(request: HttpRequest, redemption_id: int) -> HttpResponse:
    return _decide_redemption(request, redemption_id, issue=False)


# --- reports --------------------------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())


@login_required
@people_ops_only
@require_GET
def fairness(request: HttpRequest) -> HttpResponse:
    """Reciprocal rings in a period (this month unless another is chosen), with names."""
    today = timezone.localdate()
    form = FairnessForm(request.GET or None, initial={"start": today.replace(day=1), "end": today})
    values = form.cleaned_data if form.is_valid() else {}
    start_day = values.get("start") or today.replace(day=1)
    end_day = values.get("end") or today
    found = reports.rings_in(start=_day_start(start_day), end=_day_start(end_day + timedelta(days=1)))
    names = selectors.people_by_id(employee_ids={pk for ring in found for pk in ring.people})
    rings = [
        {
            "people": [names[pk] for pk in ring.people if pk in names],
            "points": ring.points,
            "arrows": [
                {
                    "giver": names.get(arrow.giver_id),
                    "recipient": names.get(arrow.recipient_id),
                    "points": arrow.points,
                    "percent": round(arrow.share * 100),
                }
                for arrow in ring.arrows
            ],
        }
        for ring in found
    ]
    context = section(
        request,
        "manage",
        manage_tab="fairness",
        form=form,
        rings=rings,
        period=_("%(start)s to %(end)s")
        % {"start": date_format(start_day, "DATE_FORMAT"), "end": date_format(end_day, "DATE_FORMAT")},
        share=round(reports.RING_SHARE * 100),
        min_points=reports.RING_MIN_POINTS,
    )
    return render(request, "recognition/manage/fairness.html", context)


def _month(request: HttpRequest) -> tuple[MonthForm, date]:
    """The month a payroll page names; last month (the one to pay) unless another is chosen."""
    first = timezone.localdate().replace(day=1)
    default = (first - timedelta(days=1)).replace(day=1)
    form = MonthForm(request.GET or None, initial={"month": default})
    month = form.cleaned_data.get("month") if form.is_valid() else None
    return form, (month or default).replace(day=1)


@login_required
@people_ops_only
@require_GET
def payroll(request: HttpRequest) -> HttpResponse:
    """What each person's issued redemptions of a month are worth, for payroll and tax."""
    form, month = _month(request)
    rows = reports.payroll_rows(month=month)
    context = section(
        request,
        "manage",
        manage_tab="payroll",
        form=form,
        month=month,
        rows=rows,
        month_value=month.strftime("%Y-%m"),
    )
    return render(request, "recognition/manage/payroll.html", context)


@login_required
@people_ops_only
@require_GET
def payroll_csv(request: HttpRequest) -> HttpResponse:
    form, month = _month(request)
    response = HttpResponse(reports.payroll_csv(month=month), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="recognition-payroll-{month:%Y-%m}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
