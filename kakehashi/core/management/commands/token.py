from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kakehashi.accounts import actions
from kakehashi.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token (printed once)")
        create.add_argument("--email", required=True)
        create.add_argument("--name", default="CLI")
        create.add_argument("--scope", choices=["read", "write"], default="write")
        create.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="list a user's tokens")
        listing.add_argument("--email", required=True)
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["action"] == "revoke":
            token = ApiToken.objects.filter(key_prefix=options["prefix"]).first()
            if token is None:
                raise CommandError(f"no token with prefix {options['prefix']}")
            actions.revoke_token(token=token, actor=token.user, now=now)
            self.stdout.write(f"revoked {token}")
            return
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None or not user.is_active:
            raise CommandError(f"no active user with e-mail {options['email']}")
        if options["action"] == "list":
            for token in ApiToken.objects.filter(user=user):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(f"{token.key_prefix}\t{token.scope}\t{state}\t{token.name}")
            return
        issued = actions.create_token(
            user=user, name=options["name"], scope=options["scope"], now=now
        )
        if options["json"]:
            payload = {
                "token": issued.key,
                "prefix": issued.token.key_prefix,
                "scope": issued.token.scope,
                "email": user.email,
            }
            self.stdout.write(json.dumps(payload))
        else:
            self.stdout.write(f"token (shown once): {issued.key}")
