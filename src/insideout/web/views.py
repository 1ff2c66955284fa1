from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from insideout.people import selectors as people_selectors
from insideout.servicedesk import facade as servicedesk


@login_required
def home(request: HttpRequest) -> HttpResponse:
    me = people_selectors.employee_of(request.user)  # type: ignore[arg-type]
    context: dict[str, object] = {"person": me}
    if me is not None:
        context["reports"] = list(people_selectors.employee_reports(employee=me)[:12])
        context["colleagues"] = (
            list(people_selectors.unit_members(unit=me.unit).exclude(pk=me.pk)[:12]) if me.unit else []
        )
        context["desk"] = servicedesk.summary_for(user=request.user)  # type: ignore[arg-type]
    return render(request, "web/home.html", context)
