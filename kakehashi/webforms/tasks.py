from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from huey.contrib.djhuey import db_task

from . import tokens


def confirmation_url(submission_id: int) -> str:
    token = tokens.submission_token(submission_id, tokens.CONFIRM_SALT)
    return settings.BASE_URL + reverse("webforms:confirm", args=[token])


@db_task()
def send_confirmation(submission_id: int) -> None:
    """The double opt-in e-mail: a link to a page whose button confirms (LEG-MBX-2)."""
    from .models import Submission

    submission = Submission.objects.select_related("form", "lead").filter(pk=submission_id).first()
    if submission is None or submission.lead is None or not submission.lead.email:
        return
    with override(submission.language):
        title = submission.form.title(submission.language)
        send_mail(
            subject=_("Please confirm: %(title)s") % {"title": title},
            message=_(
                "Thank you for sending “%(title)s”.\n\n"
                "To confirm your e-mail address, open this link and press the button "
                "(the link works for 14 days):\n%(url)s\n\n"
                "If you did not send this form, ignore this message: nothing will be sent to you."
            )
            % {"title": title, "url": confirmation_url(submission.pk)},
            from_email=None,
            recipient_list=[submission.lead.email],
        )
