"""Template helpers of recognition's pages: a recognition's card, built in Python because the wall
shows twenty at once and the template engine spent more on them than everything else together.

Plain string building with each value escaped once (``escape``), never ``format_html`` per piece:
the same HTML for a fraction of the time.
"""

from __future__ import annotations

from html import escape  # the standard library's: Django's lazy-aware wrapper costs more than the escaping
from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.template.defaultfilters import linebreaksbr
from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insideout.core.chips import person_chip_html, url_with_id
from insideout.recognition.models import Visibility

register = template.Library()

MOST_NAMES = 12  # recipients named on a card; the rest are counted


def _who(recognition: Any) -> str:
    recipients = recognition.recipients
    # Each text is translated outside the f-strings: xgettext does not look inside them.
    verb = escape(_("recognised"))
    parts = [person_chip_html(recognition.giver), f' <span class="muted">{verb}</span>', "\n    "]
    if recognition.team is not None:
        team = escape(_("the %(team)s team") % {"team": recognition.team.name})
        parts.append(f"<strong>{team}</strong>")
        if recipients:
            parts.append('<span class="muted">:</span>')
    parts.append('<span class="muted">,</span> '.join(person_chip_html(person) for person in recipients[:MOST_NAMES]))
    more = len(recipients) - MOST_NAMES
    if more > 0:
        words = ngettext("and %(more)s more", "and %(more)s more", more) % {"more": more}
        parts.append(f' <span class="muted">{escape(words)}</span>')
    return "".join(parts)


def _meta(card: Any, *, csrf: str, here: str) -> str:
    recognition = card.recognition
    when = localtime(recognition.created_at)
    # The time links to the recognition's own page, to share or come back to it.
    page = escape(url_with_id("recognition:recognition", recognition.pk))
    parts = [
        f'<a class="muted small" href="{page}"><time datetime="{when.isoformat()}">'
        f"{escape(formats.date_format(when, 'j M Y, H:i'))}</time></a>"
    ]
    if recognition.visibility == Visibility.TEAM:
        pill = escape(_("Within their teams"))
        parts.append(f'<span class="pill">{pill}</span>')
    elif recognition.visibility == Visibility.PRIVATE:
        pill = escape(_("Private"))
        parts.append(f'<span class="pill">{pill}</span>')
    if card.points_each:
        words = ngettext("%(points)s point each", "%(points)s points each", card.points_each)
        parts.append(f'<span class="points">{escape(words % {"points": card.points_each})}</span>')
    boosts = card.boosts
    if boosts.count:
        words = ngettext("%(boosts)s boost: +%(points)s each", "%(boosts)s boosts: +%(points)s each", boosts.count)
        parts.append(f'<span class="boosts">{escape(words % {"boosts": boosts.count, "points": boosts.points})}</span>')
    if boosts.mine:
        mine = escape(_("You boosted it"))
        parts.append(f'<span class="muted small">{mine}</span>')
    if card.can_boost:
        action = escape(url_with_id("recognition:boost", recognition.pk))
        label = escape(_("Boost +%(points)s") % {"points": card.boost_points})
        hint = escape(_("points to each person recognised, from your allowance"))
        parts.append(
            f'<form method="post" action="{action}" class="boost-form" hx-post="{action}" '
            f'hx-target="#recognition-{int(recognition.pk)}" hx-swap="outerHTML">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf)}">'
            f'<input type="hidden" name="points" value="{int(card.boost_points)}">'
            f'<input type="hidden" name="next" value="{escape(here)}">'
            f'<button class="btn secondary small" type="submit">{label}<span class="visually-hidden"> {hint}'
            "</span></button></form>"
        )
    return "\n    ".join(parts)


def card_body_html(recognition: Any) -> str:
    """What a card shows of the recognition itself (``selectors.Shown``), the same for every reader
    in one language: who recognised whom, the message, the values and what it was for. The wall
    keeps it for a while (``views.wall``); the rest of the card is the reader's own."""
    values = ""
    if recognition.values:
        tags = "".join(f'<span class="tag">{escape(value.name)}</span>' for value in recognition.values)
        label = escape(_("Values:"))
        values = f'<p class="recognition-values"><span class="visually-hidden">{label}</span>{tags}</p>'
    for_line = ""
    if recognition.for_label:
        what = escape(_("For: %(what)s") % {"what": recognition.for_label})
        for_line = f'<p class="small muted recognition-for">{what}</p>'
    return (
        f'  <div class="recognition-who">{_who(recognition)}\n  </div>\n'
        f'  <blockquote class="recognition-message">{linebreaksbr(recognition.message, autoescape=True)}</blockquote>\n'
        f"  {values}\n  {for_line}\n"
    )


def card_html(card: Any, *, csrf: str, here: str, status: str = "") -> SafeString:
    """One recognition's card (``views.wall.Card``); ``status`` (safe HTML) is shown at its top."""
    recognition = card.recognition
    label = escape(_("Recognition by %(giver)s") % {"giver": recognition.giver.name})
    return SafeString(
        f'<article class="card recognition-card" id="recognition-{int(recognition.pk)}" aria-label="{label}">'
        f"{status}\n{card.body or card_body_html(recognition)}"
        f'  <div class="recognition-meta">\n    {_meta(card, csrf=csrf, here=here)}\n  </div>\n</article>'
    )


@register.simple_tag(takes_context=True)
def recognition_card(context: template.Context, card: Any) -> SafeString:
    """``{% recognition_card card %}``: the card, with the page's ``here`` as where a boost returns to."""
    csrf = ""
    if card.can_boost:  # the page's token, made once for all its forms (each get_token masks it anew)
        token = context.get("csrf_token")
        request = context.get("request")
        csrf = str(token) if token else (get_token(request) if request is not None else "")
    status = ""
    messages = context.get("messages") if context.get("oob") else None
    if messages:
        items = "".join(f'<li class="{escape(message.tags)}">{escape(str(message))}</li>' for message in messages)
        status = f'<div role="status"><ul class="messages">{items}</ul></div>'
    return card_html(card, csrf=csrf, here=str(context.get("here", "")), status=status)
