from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kakehashi.accounts import actions
from kakehashi.accounts.models import Role


class Command(BaseCommand):
    help = "Create an admin user; without --password a generated one is printed once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", default="")
        parser.add_argument("--name", default="Admin")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or actions.generate_password()
        try:
            user = actions.create_user(
                email=options["email"],
                name=options["name"],
                role=Role.ADMIN,
                password=password,
                now=timezone.now(),
            )
        except actions.EmailTaken:
            raise CommandError(f"a user with e-mail {options['email']} already exists") from None
        self.stdout.write(f"admin created: {user.email}")
        if not options["password"]:
            self.stdout.write(f"password (shown once): {password}")
