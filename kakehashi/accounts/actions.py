"""State changes for users, teams and API tokens. Each is atomic and leaves an audit activity."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from kakehashi.timeline.actions import record

from .models import ApiToken, Role, Team, User


class EmailTaken(Exception):
    """Another user already signs in with this e-mail address."""


class TeamNameTaken(Exception):
    """Another team already has this name."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once, never stored


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def create_user(
    *,
    email: str,
    name: str = "",
    team: Team | None = None,
    role: str = Role.MEMBER,
    password: str | None = None,
    language: str = "",
    actor: User | None = None,
    now: datetime,
) -> User:
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise EmailTaken(email)
    user = User(email=email, name=name.strip(), team=team, role=role, language=language)
    user.date_joined = now
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(
        kind="user.created",
        actor=actor,
        occurred_at=now,
        data={"user_id": user.pk, "email": user.email, "role": role, "team": str(team or "")},
    )
    return user


def invitation_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:invite_accept", kwargs={"uidb64": uid, "token": token})
    return settings.BASE_URL + path


@transaction.atomic
def invite_user(
    *,
    email: str,
    name: str,
    team: Team | None,
    role: str,
    actor: User,
    now: datetime,
) -> tuple[User, str]:
    """Create an account without a password and mail a link to choose one."""
    user = create_user(email=email, name=name, team=team, role=role, actor=actor, now=now)
    url = invitation_url(user)
    language = user.language or actor.language or settings.LANGUAGE_CODE

    def _send() -> None:
        with override(language):
            send_mail(
                subject=_("You are invited to kakehashi"),
                message=_(
                    "%(inviter)s invited you to kakehashi.\n\n"
                    "Choose your password here (the link works for 3 days):\n%(url)s\n"
                )
                % {"inviter": actor.display_name, "url": url},
                from_email=None,
                recipient_list=[user.email],
            )

    transaction.on_commit(_send)
    return user, url


@transaction.atomic
def update_user(*, user: User, actor: User, changes: dict[str, object], now: datetime) -> User:
    before = {field: str(getattr(user, field) or "") for field in changes}
    for field, value in changes.items():
        setattr(user, field, value)
    user.save()
    diff = {
        f: [before[f], str(getattr(user, f) or "")]
        for f in changes
        if before[f] != str(getattr(user, f) or "")
    }
    if diff:
        record(
            kind="user.updated",
            actor=actor,
            occurred_at=now,
            data={"user_id": user.pk, "changes": diff},
        )
    return user


@transaction.atomic
def save_team(*, team: Team, actor: User, now: datetime) -> Team:
    if Team.objects.filter(name=team.name).exclude(pk=team.pk).exists():
        raise TeamNameTaken(team.name)
    created = team.pk is None
    team.save()
    record(
        kind="team.created" if created else "team.updated",
        actor=actor,
        occurred_at=now,
        data={"team_id": team.pk, "name": team.name, "function": team.function},
    )
    return team


@transaction.atomic
def create_token(
    *, user: User, name: str, scope: str = ApiToken.Scope.WRITE, now: datetime
) -> IssuedToken:
    key, prefix = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API",
        key_prefix=prefix,
        key_hash=ApiToken.hash_key(key),
        scope=scope,
        created_at=now,
    )
    record(
        kind="token.created",
        actor=user,
        occurred_at=now,
        data={"token_id": token.pk, "name": token.name, "scope": scope, "prefix": prefix},
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def revoke_token(*, token: ApiToken, actor: User, now: datetime) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    record(
        kind="token.revoked",
        actor=actor,
        occurred_at=now,
        data={"token_id": token.pk, "name": token.name, "prefix": token.key_prefix},
    )


def authenticate_token(key: str, *, now: datetime) -> User | None:
    """The active user a token belongs to, or None for unknown or revoked tokens."""
    if not key.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user", "user__team")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    # Write last_used_at at most once a minute: a busy integration should not write per call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    user.api_token = token  # type: ignore[attr-defined]
    return user
