from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from insideout.notifications import selectors, services


def _user_id(request: HttpRequest) -> int:
    # Every view here is behind login_required, so there is a signed-in user.
    user_id = request.user.pk
    assert isinstance(user_id, int)
    return user_id


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notification_list_for(user_id=_user_id(request)), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_read(user_id=_user_id(request))
    messages.success(
        request,
        ngettext("Marked %(count)d notification read.", "Marked %(count)d notifications read.", count)
        % {"count": count},
    )
    return redirect("notifications:inbox")
