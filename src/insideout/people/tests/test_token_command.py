"""``insideout token``: the raw token is the last line, and it works like one from the web page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from insideout.people import services
from insideout.people.models import ApiToken


def _token(*args: str) -> tuple[str, list[str]]:
    out = StringIO()
    call_command("token", "create", *args, stdout=out)
    lines = out.getvalue().splitlines()
    return lines[-1], lines


def test_create_prints_the_token_alone_on_the_last_line(org, api):
    raw, lines = _token("--user", "sam")

    token = ApiToken.objects.get(user__username="sam")
    assert lines == [f"Token {token.pk} 'command line' (read) for sam; it is shown only this once:", raw]
    assert raw.startswith(services.TOKEN_PREFIX)
    assert token.prefix == raw[:10]
    assert token.digest == services.token_digest(raw)
    response = api("get", "/api/v1/me", token=raw)
    assert response.status_code == 200
    assert response.json()["username"] == "sam"
    assert response.json()["roles"] == ["employee", "agent"]


def test_read_scope_cannot_change_the_profile(org, api):
    raw, _lines = _token("--user", "sam")

    response = api("patch", "/api/v1/me/profile", token=raw, json={"preferred_channel": "chat"})

    assert response.status_code == 403
    org["agent"].profile.refresh_from_db()
    assert org["agent"].profile.preferred_channel == "email"


def test_write_scope_changes_the_profile(org, api):
    raw, _lines = _token("--user", "sam", "--scope", "write", "--name", "chat bot")

    response = api("patch", "/api/v1/me/profile", token=raw, json={"preferred_channel": "chat"})

    assert response.status_code == 200
    assert response.json()["preferred_channel"] == "chat"
    token = ApiToken.objects.get(user__username="sam")
    assert (token.name, token.scope) == ("chat bot", "write")


def test_unknown_user_is_an_error_and_creates_nothing(org):
    with pytest.raises(CommandError) as exc:
        _token("--user", "nobody")

    assert str(exc.value) == "No user named 'nobody'."
    assert exc.value.returncode == 1
    assert ApiToken.objects.count() == 0


def test_deactivated_user_is_an_error_and_creates_nothing(org):
    services.employee_deactivate(employee=org["employee"])

    with pytest.raises(CommandError) as exc:
        _token("--user", "eve")

    assert str(exc.value) == "User 'eve' is deactivated; tokens can only be issued to active accounts."
    assert exc.value.returncode == 1
    assert ApiToken.objects.count() == 0


def test_unknown_scope_is_refused(org):
    with pytest.raises(CommandError, match="invalid choice: 'admin'"):
        _token("--user", "sam", "--scope", "admin")

    assert ApiToken.objects.count() == 0


def test_list_shows_tokens_without_secrets(org):
    raw, _lines = _token("--user", "sam")
    _token("--user", "lena", "--scope", "write")
    out = StringIO()

    call_command("token", "list", "--user", "sam", stdout=out)

    lines = out.getvalue().splitlines()
    token = ApiToken.objects.get(user__username="sam")
    assert len(lines) == 2
    assert lines[0].split() == ["id", "user", "name", "scope", "prefix", "state", "last", "used"]
    assert lines[1].split() == [
        str(token.pk),
        "sam",
        "command",
        "line",
        "read",
        f"{raw[:10]}…",
        "usable",
        "never",
        "used",
    ]
    assert raw not in out.getvalue()


def test_revoke_stops_the_token(org, api):
    raw, _lines = _token("--user", "sam")
    token = ApiToken.objects.get(user__username="sam")
    out = StringIO()

    call_command("token", "revoke", "--id", str(token.pk), stdout=out)

    assert out.getvalue() == f"Revoked token {token.pk} 'command line' of sam.\n"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api("get", "/api/v1/me", token=raw).status_code == 401


def test_revoke_unknown_id_is_an_error(org):
    with pytest.raises(CommandError) as exc:
        call_command("token", "revoke", "--id", "999999", stdout=StringIO())

    assert str(exc.value) == "No token with id 999999."
