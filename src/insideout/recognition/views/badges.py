"""Badges on each person's page: the directory's person page has an htmx slot that loads
``/recognition/people/<id>/badges/``, a fragment listing the person's badges, newest first (the
directory may not import recognition, so recognition serves the fragment). Any member of the
organisation sees anyone's badges; an account without a person gets 403, someone who is not an
active person 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from insideout.recognition import badges
from insideout.recognition.views.common import actor, get_or_404


@login_required
@require_GET
def person_badges(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person's badges (icon, name, what for, when), or a line saying there are none yet."""
    found = get_or_404(badges.badge_awards_of, actor=actor(request), person_id=person_id)
    rows = [(award, badges.achievement_in_words(award)) for award in found]
    return render(request, "recognition/partials/person_badges.html", {"rows": rows})
