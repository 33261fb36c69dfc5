from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions, permissions
from .decorators import admin_required
from .forms import LoginForm, ProfileForm, TeamForm, TokenForm, UserCreateForm, UserEditForm
from .http import AuthedHttpRequest
from .models import ApiToken, Team, User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("Your password was set. Please log in."))
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:settings")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


def invite_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """An invited user chooses a password; the link is single-use (the token hashes it)."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/invite_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Welcome! Your password is set. Please log in."))
        return redirect("accounts:login")
    return render(request, "accounts/password_set.html", {"form": form, "validlink": True})


@login_required
def settings_home(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        actions.update_user(
            user=User.objects.get(pk=user.pk), actor=user, changes=changes, now=timezone.now()
        )
        messages.success(request, _("Profile saved."))
        return redirect("accounts:settings")
    return render(
        request,
        "accounts/settings.html",
        {"form": form, "can_manage": permissions.can_manage_accounts(user)},
    )


@login_required
def token_list(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = actions.create_token(
            user=user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            now=timezone.now(),
        )
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=user)
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": tokens, "issued": issued}
    )


@require_POST
@login_required
def token_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    # Only the owner sees their tokens: another user's id is a 404, not a 403.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    actions.revoke_token(token=token, actor=request.user, now=timezone.now())
    messages.success(request, _("Token revoked. Anything using it is refused from now on."))
    return redirect("accounts:tokens")


@admin_required
def user_list(request: AuthedHttpRequest) -> HttpResponse:
    users = User.objects.select_related("team").order_by("team__name", "name", "email")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page_obj": page})


@admin_required
def user_create(request: AuthedHttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, url = actions.invite_user(
                actor=request.user,
                now=timezone.now(),
                **form.cleaned_data,
            )
        except actions.EmailTaken:
            form.add_error("email", _("A user with this e-mail address already exists."))
        else:
            return render(request, "accounts/user_invited.html", {"invited": user, "url": url})
    return render(request, "accounts/user_form.html", {"form": form})


@admin_required
def user_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    form = UserEditForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        actions.update_user(
            user=User.objects.get(pk=pk),
            actor=request.user,
            changes=changes,
            now=timezone.now(),
        )
        messages.success(request, _("User saved."))
        return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "target": target})


@admin_required
def team_list(request: AuthedHttpRequest) -> HttpResponse:
    teams = Team.objects.annotate(member_count=Count("members"))
    return render(request, "accounts/team_list.html", {"teams": teams})


@admin_required
def team_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk) if pk else Team()
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_team(team=form.save(commit=False), actor=request.user, now=timezone.now())
        except actions.TeamNameTaken:
            form.add_error("name", _("A team with this name already exists."))
        else:
            messages.success(request, _("Team saved."))
            return redirect("accounts:teams")
    return render(request, "accounts/team_form.html", {"form": form, "team": team})
