"""Template helpers of recognition's pages: a recognition's card, built in Python because the wall
shows twenty at once and the template engine spent more on them than everything else together."""

from __future__ import annotations

from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.template.defaultfilters import linebreaksbr
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insideout.core.chips import person_chip_html, url_with_id
from insideout.recognition.models import Visibility

register = template.Library()

MOST_NAMES = 12  # recipients named on a card; the rest are counted


def _who(card: Any) -> SafeString:
    recognition = card.recognition
    parts = [
        person_chip_html(recognition.giver),
        format_html(' <span class="muted">{}</span>', _("recognised")),
        "\n    ",
    ]
    if recognition.team is not None:
        parts.append(format_html("<strong>{}</strong>", _("the %(team)s team") % {"team": recognition.team.name}))
        if card.recipients:
            parts.append(SafeString('<span class="muted">:</span>'))
    named = card.recipients[:MOST_NAMES]
    parts.append(SafeString('<span class="muted">,</span> ').join(person_chip_html(person) for person in named))
    more = len(card.recipients) - MOST_NAMES
    if more > 0:
        words = ngettext("and %(more)s more", "and %(more)s more", more) % {"more": more}
        parts.append(format_html(' <span class="muted">{}</span>', words))
    return SafeString("".join(parts))


def _meta(card: Any, *, csrf: str, here: str) -> SafeString:
    recognition = card.recognition
    when = localtime(recognition.created_at)
    parts = [
        format_html(
            '<time class="muted small" datetime="{}">{}</time>',
            formats.date_format(when, "c"),
            formats.date_format(when, "j M Y, H:i"),
        )
    ]
    if recognition.visibility == Visibility.TEAM:
        parts.append(format_html('<span class="pill">{}</span>', _("Within their teams")))
    elif recognition.visibility == Visibility.PRIVATE:
        parts.append(format_html('<span class="pill">{}</span>', _("Private")))
    if card.points_each:
        words = ngettext("%(points)s point each", "%(points)s points each", card.points_each)
        parts.append(format_html('<span class="points">{}</span>', words % {"points": card.points_each}))
    boosts = card.boosts
    if boosts.count:
        words = ngettext("%(boosts)s boost: +%(points)s each", "%(boosts)s boosts: +%(points)s each", boosts.count)
        parts.append(
            format_html('<span class="boosts">{}</span>', words % {"boosts": boosts.count, "points": boosts.points})
        )
    if boosts.mine:
        parts.append(format_html('<span class="muted small">{}</span>', _("You boosted it")))
    if card.can_boost:
        action = url_with_id("recognition:boost", recognition.pk)
        parts.append(
            format_html(
                '<form method="post" action="{action}" class="boost-form" hx-post="{action}" '
                'hx-target="#recognition-{pk}" hx-swap="outerHTML">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
                '<input type="hidden" name="points" value="{points}">'
                '<input type="hidden" name="next" value="{here}">'
                '<button class="btn secondary small" type="submit">{label}<span class="visually-hidden"> {hint}'
                "</span></button></form>",
                action=action,
                pk=recognition.pk,
                csrf=csrf,
                points=card.boost_points,
                here=here,
                label=_("Boost +%(points)s") % {"points": card.boost_points},
                hint=_("points to each person recognised, from your allowance"),
            )
        )
    return SafeString("\n    ".join(parts))


def card_html(card: Any, *, csrf: str, here: str, status: str = "") -> SafeString:
    """One recognition's card (``views.wall.Card``); ``status`` is a message list shown at its top."""
    recognition = card.recognition
    values = ""
    if card.values:
        values = format_html(
            '<p class="recognition-values"><span class="visually-hidden">{}</span>{}</p>',
            _("Values:"),
            format_html_join("", '<span class="tag">{}</span>', ((value.name,) for value in card.values)),
        )
    for_line = ""
    if recognition.for_label:
        for_line = format_html(
            '<p class="small muted recognition-for">{}</p>', _("For: %(what)s") % {"what": recognition.for_label}
        )
    return format_html(
        '<article class="card recognition-card" id="recognition-{pk}" aria-label="{label}">{status}\n'
        '  <div class="recognition-who">{who}\n  </div>\n'
        '  <blockquote class="recognition-message">{message}</blockquote>\n'
        "  {values}\n  {for_line}\n"
        '  <div class="recognition-meta">\n    {meta}\n  </div>\n</article>',
        pk=recognition.pk,
        label=_("Recognition by %(giver)s") % {"giver": recognition.giver.name},
        status=status,
        who=_who(card),
        message=linebreaksbr(recognition.message, autoescape=True),
        values=values,
        for_line=for_line,
        meta=_meta(card, csrf=csrf, here=here),
    )


@register.simple_tag(takes_context=True)
def recognition_card(context: template.Context, card: Any) -> SafeString:
    """``{% recognition_card card %}``: the card, with the page's ``here`` as where a boost returns to."""
    request = context.get("request")
    csrf = get_token(request) if request is not None and card.can_boost else ""
    status = ""
    messages = context.get("messages") if context.get("oob") else None
    if messages:
        status = format_html(
            '<div role="status"><ul class="messages">{}</ul></div>',
            format_html_join("", '<li class="{}">{}</li>', ((message.tags, message) for message in messages)),
        )
    return card_html(card, csrf=csrf, here=str(context.get("here", "")), status=status)
