"""The personalised thank-you e-mail a giver may send with a recognition (off by default).

Each active recipient with an e-mail address gets one message, in their own language, rendered from
``recognition/email/thanks.txt`` (plain text) and ``thanks.html`` (HTML): their name, the giver's
message, the values it showed, and a link to the recognition. It is sent after the recognition is
committed, through Django's e-mail API (SMTP in production), with the giver as Reply-To so a reply
reaches them. A recipient whose mail server refuses it is logged and skipped; the others still get
theirs, and the recognition stands.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from insideout.people import facade as people
from insideout.recognition.models import Recognition

logger = logging.getLogger(__name__)

TEMPLATE = "recognition/email/thanks"


def thanks_email_after_commit(*, recognition_id: int) -> None:
    """Send the thank-you e-mails once the transaction that gave the recognition commits (at once
    when there is none)."""
    transaction.on_commit(lambda: thanks_email_send(recognition_id=recognition_id))


def thanks_email_send(*, recognition_id: int) -> list[str]:
    """E-mail each recipient of the recognition a thank-you; returns the addresses it reached."""
    recognition = (
        Recognition.objects.select_related("giver__user")
        .prefetch_related("values", "recipients")
        .filter(pk=recognition_id)
        .first()
    )
    if recognition is None:
        return []
    giver = recognition.giver
    values = [value.name for value in recognition.values.all()]
    link = f"{settings.SITE_URL}{reverse('recognition:recognition', args=[recognition.pk])}"
    sent: list[str] = []
    for row in recognition.recipients.all():
        person = people.person_get(employee_id=row.employee_id)
        if person is None or not person.is_active or not person.email:
            continue
        context: dict[str, Any] = {
            "name": person.name,
            "giver": giver.name,
            "message": recognition.message,
            "values": values,
            "points": row.points,
            "url": link,
        }
        with translation.override(person.language or settings.LANGUAGE_CODE):
            context["day"] = date_format(timezone.localtime(recognition.created_at).date(), "DATE_FORMAT")
            subject = _("Thank you from %(giver)s") % {"giver": giver.name}
            text = render_to_string(f"{TEMPLATE}.txt", context)
            html = render_to_string(f"{TEMPLATE}.html", context)
        message = EmailMultiAlternatives(
            subject=subject, body=text, to=[person.email], reply_to=[giver.user.email] if giver.user.email else None
        )
        message.attach_alternative(html, "text/html")
        try:
            message.send()
        except OSError:
            logger.exception("could not e-mail the thank-you of recognition %s to %s", recognition.pk, person.email)
            continue
        sent.append(person.email)
    return sent
