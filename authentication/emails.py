"""Account e-mails are rendered and sent by a Celery task, recorded in the outbox with the change."""

import uuid

from designiaBackend.api.after_commit import must_happen


def send_after_commit(*, to, subject, template, context, user_id=None, key=None):
    """Send ``templates/emails/<template>`` to ``to`` once the current transaction commits (once per
    ``key``; without one, every call is its own e-mail).

    ``subject`` is the English message id (mark it with ``gettext_noop``); the task translates it
    and renders the templates in the language of the user ``user_id`` (the recipient)."""
    from authentication.tasks import send_account_email_task

    must_happen(
        send_account_email_task,
        kwargs={
            "to": to,
            "subject": subject,
            "template": template,
            "context": context,
            "user_id": user_id and str(user_id),
        },
        key=key or f"account-email-{uuid.uuid4().hex}",
    )


def email_user_after_commit(user, *, subject, template, **context):
    """``send_after_commit`` of an account e-mail to ``user``, in their language, greeting them by
    first name (their username without one); ``context`` is the rest of the template's context."""
    send_after_commit(
        to=user.email,
        user_id=user.pk,
        subject=subject,
        template=template,
        context={"first_name": user.first_name or user.username, **context},
    )
