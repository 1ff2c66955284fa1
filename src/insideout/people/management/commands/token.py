"""``insideout token``: personal access tokens for the REST API, from the command line."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from insideout.people import selectors, services
from insideout.people.models import ApiToken, TokenScope, User


class Command(BaseCommand):
    help = (
        "Create, list and revoke API tokens. 'token create --user sam' prints the token alone on its "
        "last line (it is shown only once), so 'insideout token create --user sam | tail -1' is the token."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = actions.add_parser("create", help="issue a token to an active user and print it")
        create.add_argument("--user", required=True, help="user name of the token's owner")
        create.add_argument(
            "--scope",
            choices=[choice.value for choice in TokenScope],
            default=TokenScope.READ.value,
            help="read (default) or write",
        )
        create.add_argument("--name", default="command line", help="what the token is for")
        listing = actions.add_parser("list", help="list tokens (never the tokens themselves)")
        listing.add_argument("--user", help="only this user's tokens")
        revoke = actions.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("--id", type=int, required=True, dest="token_id", help="the token's id (see list)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(username=options["user"], scope=options["scope"], name=options["name"])
        elif action == "list":
            self._list(username=options.get("user"))
        else:
            self._revoke(token_id=options["token_id"])

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named '{username}'.")
        return user

    def _create(self, *, username: str, scope: str, name: str) -> None:
        user = self._user(username)
        if not user.is_active:
            raise CommandError(f"User '{username}' is deactivated; tokens can only be issued to active accounts.")
        try:
            token, raw = services.api_token_create(user=user, name=name, scope=scope)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Token {token.pk} '{token.name}' ({token.scope}) for {user.username}; it is shown only this once:"
        )
        self.stdout.write(raw)

    def _list(self, *, username: str | None) -> None:
        if username:
            tokens = selectors.api_token_list_for(user=self._user(username)).select_related("user")
        else:
            tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-pk")
        rows = [
            (
                str(token.pk),
                token.user.username,
                token.name,
                token.scope,
                f"{token.prefix}…",
                "usable" if token.is_usable else ("revoked" if token.revoked_at else "expired"),
                token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "never used",
            )
            for token in tokens
        ]
        if not rows:
            self.stdout.write("No tokens.")
            return
        header = ("id", "user", "name", "scope", "prefix", "state", "last used")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())

    def _revoke(self, *, token_id: int) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"No token with id {token_id}.")
        if token.revoked_at is not None:
            self.stdout.write(f"Token {token.pk} of {token.user.username} was already revoked.")
            return
        services.api_token_revoke(token=token)
        self.stdout.write(f"Revoked token {token.pk} '{token.name}' of {token.user.username}.")
