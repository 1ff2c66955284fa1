"""A badge's certificate sent by e-mail through a real SMTP server on the loopback interface: one
message to the person, in their language, with the PDF attached."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from insideout.core.errors import Forbidden
from insideout.core.models import Event
from insideout.recognition import badges, certificates
from insideout.recognition.models import Badge

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_the_certificate_arrives_as_a_pdf_attachment(org: dict[str, Any], smtp_inbox: Any) -> None:
    mo, eve = org["manager"], org["employee"]
    award = badges.badge_grant(
        actor=mo.user, badge=Badge.objects.get(name="Above and beyond"), person_id=eve.pk, reason="Q4", now=NOW
    )
    address = certificates.certificate_send(actor=mo.user, award=award, now=NOW)

    assert address == eve.user.email
    [(to, message)] = smtp_inbox.wait_for(1)
    assert (to, message["Subject"]) == ([eve.user.email], "Your certificate: Above and beyond")
    body = message.get_body(preferencelist=("plain",))
    assert body.get_content().splitlines() == [
        "Dear Eve Employee,",
        "",
        "Congratulations on Above and beyond. Your certificate is attached.",
        "",
        "Mo Manager",
    ]
    [attachment] = list(message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type()) == (
        "certificate-above-and-beyond-eve-employee.pdf",
        "application/pdf",
    )
    assert attachment.get_content().startswith(b"%PDF-")
    assert Event.objects.filter(type=certificates.CERTIFICATE_SENT, payload__award=award.pk).count() == 1


def test_nothing_is_sent_by_someone_who_may_not_sign(org: dict[str, Any], smtp_inbox: Any) -> None:
    mo, eve, sam = org["manager"], org["employee"], org["agent"]
    award = badges.badge_grant(
        actor=mo.user, badge=Badge.objects.get(name="Above and beyond"), person_id=eve.pk, reason="Q4", now=NOW
    )
    with pytest.raises(Forbidden):
        certificates.certificate_send(actor=sam.user, award=award, now=NOW)
    assert smtp_inbox.wait_for(1, timeout=0.5) == []
    assert not Event.objects.filter(type=certificates.CERTIFICATE_SENT).exists()
