"""Notification e-mails, in the recipient's language, sent after the commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import Notification


def send_email(notification_id: int) -> bool:
    notice = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notice is None or not notice.user.email or not notice.user.is_active:
        return False
    with override(notice.user.language or settings.LANGUAGE_CODE):
        link = settings.BASE_URL + (
            reverse("leads:detail", args=[notice.lead_id])
            if notice.lead_id
            else reverse("handoff:queue")
        )
        subject = f"[kakehashi] {notice.get_kind_display()}"
        body = "\n\n".join(
            [notice.message, link, _("Your work queue: %(url)s") % {
                "url": settings.BASE_URL + reverse("handoff:queue")}]
        )  # fmt: skip
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notice.user.email])
    return True
