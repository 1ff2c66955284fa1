"""Service desk pages: the portal, the agent workspace and the unit admin's editors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from insideout.servicedesk import selectors


@login_required
def request_detail(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
    service_request = selectors.request_get_by_key_for(actor=request.user, key=f"{prefix}-{number}")  # type: ignore[arg-type]
    return render(request, "servicedesk/request.html", {"service_request": service_request})
