"""A forgotten password, end to end, through a real SMTP server on the loopback interface.

The reset page sends the mail over SMTP (Django's SMTP backend, as in production) to an aiosmtpd
server started for the test; the test reads the link out of the delivered message, follows it,
sets a new password and signs in with it, by e-mail address and by username.
"""

import re

import pytest
from django.test import Client

from insideout.people import services
from insideout.people.tests.factories import EmployeeFactory

OLD_PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-brand-new-passphrase-42"
LINK = re.compile(r"^http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)\s*$", re.MULTILINE)

pytestmark = pytest.mark.django_db


def _csrf(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def _post_form(client, path, data):
    """Load the page like a browser, then submit its form with the page's CSRF token."""
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, {"csrfmiddlewaretoken": _csrf(page), **data})


def _sign_in(identifier, password):
    client = Client(enforce_csrf_checks=True)
    response = _post_form(client, "/accounts/login/", {"username": identifier, "password": password})
    return client, response


def _request_reset(address):
    client = Client(enforce_csrf_checks=True)
    response = _post_form(client, "/accounts/password/reset/", {"email": address})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    return client


def _reset_link(message):
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = LINK.findall(body)
    assert len(links) == 1, body
    return links[0]


def test_a_forgotten_password_is_reset_by_email_and_works_for_signing_in(smtp_inbox):
    person = EmployeeFactory(username="rita", first_name="Rita", last_name="Reset", email="rita@example.org")

    client = _request_reset("Rita@Example.org")

    [(recipients, message)] = smtp_inbox.wait_for(1)
    assert recipients == ["rita@example.org"]
    assert message["To"] == "rita@example.org"
    assert message["From"] == "InsideOut <insideout@example.org>"
    assert message["Subject"] == "Reset your InsideOut password"
    link = _reset_link(message)

    # The link lands on a page without the token in its URL, which then takes the new password.
    landing = client.get(link)
    assert landing.status_code == 302
    set_password_url = landing["Location"]
    assert set_password_url.endswith("/set-password/")
    done = _post_form(client, set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/complete/"

    for identifier in ("rita@example.org", "rita"):
        signed_in, response = _sign_in(identifier, NEW_PASSWORD)
        assert response.status_code == 302, identifier
        assert response["Location"] == "/"
        assert signed_in.session["_auth_user_id"] == str(person.user_id)
        assert signed_in.get("/").status_code == 200

    refused_client, refused = _sign_in("rita", OLD_PASSWORD)
    assert refused.status_code == 200
    assert "_auth_user_id" not in refused_client.session

    # A used link does not work twice.
    reused = Client().get(link, follow=True)
    assert reused.status_code == 200
    assert b'name="new_password1"' not in reused.content


def test_an_unknown_address_gets_the_same_answer_and_no_mail(smtp_inbox):
    EmployeeFactory(username="rita", email="rita@example.org")

    _request_reset("nobody@example.org")

    assert smtp_inbox.wait_for(1, timeout=0.5) == []


def test_a_person_who_left_gets_no_reset_mail(smtp_inbox, org):
    services.employee_deactivate(employee=org["employee"], actor=org["admin"].user)

    _request_reset("eve@example.org")

    assert smtp_inbox.wait_for(1, timeout=0.5) == []


def test_a_person_created_without_a_password_sets_their_first_one_by_reset(smtp_inbox):
    person = EmployeeFactory(username="nora", email="nora@example.org", password=None)

    client = _request_reset("nora@example.org")

    [(_recipients, message)] = smtp_inbox.wait_for(1, timeout=2)
    set_password_url = client.get(_reset_link(message))["Location"]
    done = _post_form(client, set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/accounts/password/reset/complete/"
    signed_in, response = _sign_in("nora", NEW_PASSWORD)
    assert response["Location"] == "/"
    assert signed_in.session["_auth_user_id"] == str(person.user_id)
    # The link worked once: the token was bound to the account's old, unusable password.
    assert client.get(_reset_link(message)).context["validlink"] is False
