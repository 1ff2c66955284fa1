"""Award certificates: a one-page PDF with the person's name, the award, the reason, the date and the
signatory, umlauts and the euro sign intact; made only by those who may honour the person."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from insideout.core.errors import Forbidden
from insideout.people.tests.factories import EmployeeFactory
from insideout.recognition import badges, certificates
from insideout.recognition.models import Badge, BadgeAward

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    out, index = bytearray(), 0
    while index < len(literal):
        char = literal[index : index + 1]
        if char != b"\\":
            out += char
            index += 1
            continue
        following = literal[index + 1 : index + 2]
        octal = re.match(rb"[0-7]{1,3}", literal[index + 1 : index + 4])
        if octal:
            out.append(int(octal.group(), 8))
            index += 1 + len(octal.group())
        else:
            out += _ESCAPES.get(following, following)
            index += 2
    return bytes(out)


def pdf_text(pdf: bytes) -> list[str]:
    """The texts of an uncompressed fpdf2 PDF, each shown string decoded through its font's
    ToUnicode map (fpdf2 writes TrueType text as two-byte glyph codes)."""
    objects = {int(number): body for number, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S)}
    maps: dict[bytes, dict[int, str]] = {}
    for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", pdf):
        found = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(ref)])
        assert found is not None
        pairs = re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]{4})>", objects[int(found.group(1))])
        maps[name] = {int(code, 16): chr(int(char, 16)) for code, char in pairs}
    texts, font = [], b""
    for match in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", pdf, re.S):
        if match.group(1):
            font = match.group(1)
            continue
        raw = _unescape(match.group(2))
        codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
        texts.append("".join(maps[font].get(code, "?") for code in codes))
    return texts


def test_the_certificate_says_who_what_why_when_and_who_signs(org: dict[str, Any]) -> None:
    mo = org["manager"]
    person = EmployeeFactory(
        username="juergen", first_name="Jürgen", last_name="Öztürk-Weiß", unit=org["sales"], manager=mo
    )
    award = badges.badge_grant(
        actor=mo.user,
        badge=Badge.objects.get(name="Above and beyond"),
        person_id=person.pk,
        reason="Saved 5.000 € on the Müller contract",
        now=NOW,
    )
    pdf = certificates.certificate_pdf(award, signatory=mo, compress=False)
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 1
    assert pdf_text(pdf) == [
        "ACME",
        "Certificate of recognition",
        "This certificate is presented to",
        "Jürgen Öztürk-Weiß",
        "for the award",
        "Above and beyond",
        "Saved 5.000 € on the Müller contract",
        "3 December 2026",
        "Date",
        "Mo Manager",
        "Sales manager",
    ]


def test_a_compressed_certificate_is_a_pdf_too(org: dict[str, Any]) -> None:
    lena, sam = org["lead"], org["agent"]
    badge = Badge.objects.get(name="Promise keeper")
    pdf = certificates.certificate_pdf(badge, signatory=lena, person=sam, on=date(2027, 1, 5))
    assert pdf.startswith(b"%PDF-")
    assert b"FlateDecode" in pdf
    assert "Sam Agent" not in pdf.decode("latin-1")  # the page's text is compressed


def test_a_badge_s_certificate_takes_its_description_and_today(org: dict[str, Any]) -> None:
    lena, sam = org["lead"], org["agent"]
    badge = Badge.objects.get(name="Promise keeper")
    certificate = certificates.certificate_of(badge, signatory=lena, person=sam, on=date(2027, 1, 5))
    assert certificate == certificates.Certificate(
        name="Sam Agent",
        award="Promise keeper",
        reason="Kept 20 commitments in a row.",
        on=date(2027, 1, 5),
        signatory="Lena Lead",
        signatory_title="Head of IT",
        organisation="Acme",
        language="en",
    )


def test_only_those_who_honour_the_person_make_one(org: dict[str, Any]) -> None:
    mo, eve, lena, pat = org["manager"], org["employee"], org["lead"], org["admin"]
    award = badges.badge_grant(
        actor=mo.user, badge=Badge.objects.get(name="Above and beyond"), person_id=eve.pk, reason="Q4", now=NOW
    )
    assert certificates.certificate_make(actor=pat.user, award=award).startswith(b"%PDF-")  # people-ops
    with pytest.raises(Forbidden) as excinfo:
        certificates.certificate_make(actor=lena.user, award=award)
    assert str(excinfo.value) == (
        "Only Eve Employee's managers, the leads above them and people-ops can sign their certificates."
    )
    with pytest.raises(Forbidden):
        certificates.certificate_make(actor=eve.user, award=award)  # not for oneself
    with pytest.raises(Forbidden):
        certificates.certificate_make(actor=None, award=award)


def test_the_file_name_is_plain(org: dict[str, Any]) -> None:
    person = EmployeeFactory(username="jo", first_name="Jürgen", last_name="Öz")
    award = BadgeAward(badge=Badge(name="Promise keeper!"), employee=person)
    assert certificates.filename_of(award) == "certificate-promise-keeper-jurgen-oz.pdf"
