"""Award certificates: a formal one-page PDF (name, award, reason, date, signatory), made with fpdf2
in the recipient's language, and sent to them by e-mail as an attachment.

The text is set in Source Serif Pro from the ``font-source-serif-pro`` package (SIL Open Font
License), which has the umlauts, ß and the euro sign; fpdf2's built-in fonts are Latin-1 only and
have no €. Nothing is fetched at run time. Emoji badge icons are left out: no bundled font has them.

A person's managers, the leads above them and people-ops may make and send one
(``badges.may_honour``), never for themselves; the certificate is signed by whoever makes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF

from insideout.core.errors import Forbidden
from insideout.core.events import event_record
from insideout.core.text import as_id
from insideout.people.models import Employee, Unit, User
from insideout.recognition import badges, selectors
from insideout.recognition.models import Badge, BadgeAward

CERTIFICATE_SENT = "recognition.certificate_sent"
FONT_PACKAGE = "font_source_serif_pro"
FONT_FILES = {"": "SourceSerifPro-Regular.ttf", "B": "SourceSerifPro-Bold.ttf", "I": "SourceSerifPro-It.ttf"}
INK = (34, 40, 49)
ACCENT = (140, 106, 40)  # a muted gold for the frame and the rule lines

# fontTools logs every step of subsetting the font at INFO: a dozen lines per certificate.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def font_path(style: str = "") -> Path:
    """The bundled TrueType file of a style ("", "B" or "I")."""
    return Path(str(resources.files(FONT_PACKAGE).joinpath("files", FONT_FILES[style])))


@dataclass(frozen=True)
class Certificate:
    """What a certificate says, already in words."""

    name: str
    award: str
    reason: str
    on: date
    signatory: str
    signatory_title: str
    organisation: str
    language: str = "en"


def _organisation_of(person: Employee) -> str:
    """The name of the top of the person's unit tree (the company)."""
    top = as_id((person.unit.path if person.unit is not None else "").strip("/").split("/")[0])
    if top is None:
        return ""
    return Unit.objects.filter(pk=top).values_list("name", flat=True).first() or ""


def certificate_of(
    award_or_badge: BadgeAward | Badge,
    *,
    signatory: Employee,
    person: Employee | None = None,
    reason: str = "",
    on: date | None = None,
) -> Certificate:
    """A badge award's certificate (its person, reason and day unless given), or a badge's for
    ``person`` with ``reason`` on ``on`` (today by default)."""
    if isinstance(award_or_badge, BadgeAward):
        badge = award_or_badge.badge
        person = person or award_or_badge.employee
        reason = reason or award_or_badge.reason or badge.description
        on = on or timezone.localdate(award_or_badge.awarded_at)
    else:
        badge = award_or_badge
        reason = reason or badge.description
    if person is None:
        raise ValueError("A badge's certificate needs the person it is for.")
    language = _language_of(person)
    return Certificate(
        name=person.name,
        award=badge.name,
        reason=reason,
        on=on or timezone.localdate(),
        signatory=signatory.name,
        signatory_title=signatory.title,
        organisation=_organisation_of(person),
        language=language,
    )


def _language_of(person: Employee) -> str:
    profile = getattr(person, "profile", None)
    return (profile.language if profile is not None and profile.language else "") or person.language or "en"


class _Page(FPDF):
    def frame(self) -> None:
        self.set_draw_color(*ACCENT)
        self.set_line_width(1.2)
        self.rect(10, 10, self.w - 20, self.h - 20)
        self.set_line_width(0.4)
        self.rect(14, 14, self.w - 28, self.h - 28)

    def rule(self, y: float, width: float) -> None:
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.4)
        self.line((self.w - width) / 2, y, (self.w + width) / 2, y)


def certificate_render(certificate: Certificate, *, compress: bool = True) -> bytes:
    """The certificate as a one-page A4 landscape PDF."""
    with translation.override(certificate.language):
        pdf = _Page(orientation="L", unit="mm", format="A4")
        pdf.compress = compress
        for style in FONT_FILES:
            pdf.add_font("Serif", style, str(font_path(style)))
        title = _("Certificate of recognition")
        pdf.set_title(f"{title}: {certificate.award} — {certificate.name}")
        pdf.set_author(certificate.signatory)
        pdf.set_creator("InsideOut")
        pdf.set_lang(certificate.language)
        pdf.set_auto_page_break(auto=False)
        pdf.set_margins(30, 20, 30)
        pdf.add_page()
        pdf.frame()
        pdf.set_text_color(*INK)
        width = pdf.w - 60

        pdf.set_y(30)
        pdf.set_font("Serif", "", 13)
        pdf.cell(width, 8, certificate.organisation.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Serif", "B", 34)
        pdf.cell(width, 18, title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.rule(pdf.get_y() + 2, 90)
        pdf.set_y(pdf.get_y() + 10)
        pdf.set_font("Serif", "I", 14)
        pdf.cell(width, 8, _("This certificate is presented to"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Serif", "B", 28)
        pdf.cell(width, 16, certificate.name, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Serif", "", 14)
        pdf.cell(width, 9, _("for the award"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Serif", "B", 20)
        pdf.cell(width, 12, certificate.award, align="C", new_x="LMARGIN", new_y="NEXT")
        if certificate.reason:
            pdf.set_y(pdf.get_y() + 3)
            pdf.set_font("Serif", "I", 13)
            pdf.multi_cell(width, 7, certificate.reason[:600], align="C", new_x="LMARGIN", new_y="NEXT")

        # The date on the left and the signature on the right, at the foot of the page.
        foot = pdf.h - 48
        column = 80
        pdf.set_font("Serif", "", 12)
        pdf.set_xy(40, foot)
        # Translators: the certificate's date, in Django's date format letters (German: "j. F Y").
        pdf.cell(column, 7, date_format(certificate.on, pgettext("certificate date", "j F Y")), align="C")
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.3)
        pdf.line(40, foot + 8, 40 + column, foot + 8)
        pdf.line(pdf.w - 40 - column, foot + 8, pdf.w - 40, foot + 8)
        pdf.set_font("Serif", "I", 10)
        pdf.set_xy(40, foot + 9)
        pdf.cell(column, 6, _("Date"), align="C")
        pdf.set_font("Serif", "B", 12)
        pdf.set_xy(pdf.w - 40 - column, foot + 9)
        pdf.cell(column, 6, certificate.signatory, align="C")
        if certificate.signatory_title:
            pdf.set_font("Serif", "I", 10)
            pdf.set_xy(pdf.w - 40 - column, foot + 15)
            pdf.cell(column, 6, certificate.signatory_title, align="C")
        return bytes(pdf.output())


def certificate_pdf(
    award_or_badge: BadgeAward | Badge,
    *,
    signatory: Employee,
    person: Employee | None = None,
    reason: str = "",
    on: date | None = None,
    compress: bool = True,
) -> bytes:
    """The PDF of a badge award (or of a badge for ``person``), signed by ``signatory``."""
    certificate = certificate_of(award_or_badge, signatory=signatory, person=person, reason=reason, on=on)
    return certificate_render(certificate, compress=compress)


def filename_of(award: BadgeAward) -> str:
    """An ASCII file name, which every mail client shows as it is."""
    return f"certificate-{slugify(f'{award.badge.name} {award.employee.name}')}.pdf"


def _signatory(actor: User | None, award: BadgeAward) -> Employee:
    me = selectors.member_of(actor)
    if me is None:
        raise Forbidden(_("Only members of the organisation can do this."))
    if not badges.may_honour(actor=actor, person=award.employee):
        raise Forbidden(
            _("Only %(name)s's managers, the leads above them and people-ops can sign their certificates.")
            % {"name": award.employee.name}
        )
    return me


def certificate_make(*, actor: User | None, award: BadgeAward) -> bytes:
    """The certificate of a badge award, signed by the caller (a manager or lead above, or people-ops)."""
    return certificate_pdf(award, signatory=_signatory(actor, award))


@transaction.atomic
def certificate_send(*, actor: User | None, award: BadgeAward, now: datetime | None = None) -> str:
    """E-mail the certificate to the person, in their language, as a PDF attachment; returns the
    address. The person's manager is not copied: forwarding is the person's choice."""
    now = now or timezone.now()
    signatory = _signatory(actor, award)
    person = award.employee
    pdf = certificate_pdf(award, signatory=signatory)
    with translation.override(_language_of(person)):
        values = {"badge": award.badge.name, "name": person.name, "signatory": signatory.name}
        subject = _("Your certificate: %(badge)s") % values
        body = (
            _("Dear %(name)s,\n\nCongratulations on %(badge)s. Your certificate is attached.\n\n%(signatory)s") % values
        )
    message = EmailMessage(subject=subject, body=body, to=[person.user.email])
    message.attach(filename_of(award), pdf, "application/pdf")
    message.send()
    event_record(
        type=CERTIFICATE_SENT,
        subject=award,
        actor=actor,
        payload={"award": award.pk, "employee": person.pk, "signatory": signatory.pk},
        occurred_at=now,
    )
    return person.user.email
