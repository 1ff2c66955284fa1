"""The rewards catalog and my redemptions.

``/recognition/rewards/`` shows what I may redeem (with its picture, points, stock, and whether it
is offered in my country) and my redemptions with their state. Redeeming asks first: a GET of the
reward's redeem page says what it costs and what is left after; its POST holds the points
(``rewards.redemption_create``). A held redemption can be cancelled by its person while nobody is
fulfilling it; people-ops fulfil them from the admin's queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insideout.core.pagination import IdsFirst
from insideout.people.models import Employee
from insideout.recognition import rewards, selectors
from insideout.recognition.catalog import PICTURE_TYPES
from insideout.recognition.models import Redemption, Reward
from insideout.recognition.views.common import actor, attempt, get_or_404, me, members_only, section
from insideout.recognition.views.forms import NoteForm, RedeemForm

PAGE_SIZE = 20
PICTURE_CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


@dataclass(frozen=True)
class Offer:
    """A reward as the catalog shows it to one person."""

    reward: Reward
    available_here: bool
    taken: int  # how many the person has redeemed (and not cancelled)
    limit_reached: bool
    sold_out: bool
    short_by: int  # points missing for one

    @property
    def can_redeem(self) -> bool:
        return self.available_here and not self.limit_reached and not self.sold_out and not self.short_by


def offer_of(reward: Reward, *, employee: Employee, earned: int, taken: int) -> Offer:
    countries = {code.upper() for code in reward.countries or []}
    return Offer(
        reward=reward,
        available_here=not countries or employee.country.upper() in countries,
        taken=taken,
        limit_reached=reward.per_person_limit is not None and taken >= reward.per_person_limit,
        sold_out=reward.stock is not None and reward.stock < 1,
        short_by=max(0, reward.points_cost - earned),
    )


@login_required
@members_only
@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    employee = me(request)
    context = section(request, "rewards")
    earned = context["nav_points"].earned
    taken = selectors.redeemed_of(employee_id=employee.pk)
    mine = Paginator(IdsFirst(selectors.redemptions_of(employee_id=employee.pk)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context.update(
        {
            "offers": [
                offer_of(reward, employee=employee, earned=earned, taken=taken.get(reward.pk, 0))
                for reward in selectors.rewards_in_catalog()
            ],
            "earned": earned,
            "page": mine,
            "redemptions": mine.object_list,
            "cancel_form": NoteForm(auto_id="cancel-%s"),
        }
    )
    return render(request, "recognition/rewards.html", context)


def _reward(reward_id: int) -> Reward:
    found: Reward = get_or_404(selectors.reward_get, reward_id=reward_id)
    return found


@login_required
@members_only
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest, reward_id: int) -> HttpResponse:
    """Ask, then redeem: the GET says what it costs and what is left; the POST holds the points."""
    employee = me(request)
    reward = _reward(reward_id)
    form = RedeemForm(request.POST if request.method == "POST" else (request.GET or None))
    if request.method == "POST" and form.is_valid():
        quantity = form.cleaned_data["quantity"]
        made = attempt(
            request,
            lambda: rewards.redemption_create(actor=actor(request), reward_id=reward.pk, quantity=quantity),
            form=form,
        )
        if made is not None:
            messages.success(
                request,
                _(
                    "You redeemed %(what)s for %(points)d points. They are held until people-ops send it; you can "
                    "follow it under My redemptions."
                )
                % {"what": _quantity_words(made.quantity, reward.name), "points": made.points},
            )
            return redirect(f"{reverse('recognition:rewards')}#my-redemptions")
    context = section(request, "rewards")
    earned = context["nav_points"].earned
    # What was asked, also when the service refused it (its error leaves the form's cleaned data).
    quantity = form.cleaned_data.get("quantity") if form.is_bound and (form.is_valid() or form.cleaned_data) else 1
    quantity = quantity if isinstance(quantity, int) and quantity > 0 else 1
    taken = selectors.redeemed_of(employee_id=employee.pk).get(reward.pk, 0)
    context.update(
        {
            "reward": reward,
            "offer": offer_of(reward, employee=employee, earned=earned, taken=taken),
            "form": form,
            "quantity": quantity,
            "cost": reward.points_cost * quantity,
            "left_after": earned - reward.points_cost * quantity,
            "earned": earned,
        }
    )
    return render(request, "recognition/redeem.html", context)


def _quantity_words(quantity: int, name: str) -> str:
    return name if quantity == 1 else f"{quantity} × {name}"


@login_required
@require_POST
def redemption_cancel(request: HttpRequest, redemption_id: int) -> HttpResponse:
    """Cancel my held redemption: the points come back."""
    me_user = actor(request)
    redemption: Redemption = get_or_404(selectors.redemption_get_for, actor=me_user, redemption_id=redemption_id)
    if redemption.employee.user_id != me_user.pk:
        raise Http404(_("No redemption with this id."))  # people-ops cancel others' from the queue
    form = NoteForm(request.POST)
    reason = form.cleaned_data["note"] if form.is_valid() else ""
    if attempt(request, lambda: rewards.redemption_cancel(actor=me_user, redemption=redemption, reason=reason)):
        messages.success(
            request,
            ngettext(
                "%(what)s is cancelled; %(points)d point is back on your balance.",
                "%(what)s is cancelled; %(points)d points are back on your balance.",
                redemption.points,
            )
            % {"what": _quantity_words(redemption.quantity, redemption.reward.name), "points": redemption.points},
        )
    return redirect(f"{reverse('recognition:rewards')}#my-redemptions")


@login_required
@require_GET
def reward_picture(request: HttpRequest, reward_id: int) -> FileResponse:
    """A reward's picture, to members (and people-ops, for rewards out of the catalog too)."""
    people_ops = selectors.is_people_ops(actor(request))
    if selectors.member_of(actor(request)) is None and not people_ops:
        raise Http404(_("No reward with this id is in the catalog."))
    reward: Reward = get_or_404(selectors.reward_get, reward_id=reward_id, in_catalog=not people_ops)
    suffix = PurePath(reward.picture.name or "").suffix.lower() if reward.picture else ""
    content_type = PICTURE_CONTENT_TYPES.get(suffix) if suffix in PICTURE_TYPES else None
    if content_type is None:
        raise Http404(_("This reward has no picture."))
    try:
        handle = reward.picture.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The picture is missing from storage.")) from exc
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=3600"
    return response
