"""Desk admin pages for unit leads: catalog and form editor, calendar editor, standards editor."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
