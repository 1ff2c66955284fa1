"""Internal service agreement pages (being written)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def agreement_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    raise Http404


urlpatterns = [
    path("agreements/", agreement_list, name="agreements"),
    path("agreements/<int:agreement_id>/", agreement_detail, name="agreement"),
]
