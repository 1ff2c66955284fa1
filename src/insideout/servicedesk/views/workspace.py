"""Agent workspace: queues, bulk assignment, the request page and its actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from insideout.servicedesk import selectors
from insideout.servicedesk.views.common import actor, get_or_404


@login_required
def request_detail(request: HttpRequest, prefix: str, number: int) -> HttpResponse:
    service_request = get_or_404(selectors.request_get_by_key_for, actor=actor(request), key=f"{prefix}-{number}")
    return render(request, "servicedesk/request.html", {"service_request": service_request})


urlpatterns: list[URLPattern] = [
    path("requests/<str:prefix>-<int:number>/", request_detail, name="request"),
]
