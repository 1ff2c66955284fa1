"""Portal pages for requesters: the catalog, the request form, my requests."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
