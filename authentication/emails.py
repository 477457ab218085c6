"""Account e-mails are rendered and sent by a Celery task, scheduled after the commit."""

from functools import partial

from django.db import transaction


def send_after_commit(*, to, subject, template, context):
    """Queue ``templates/emails/<template>`` for ``to`` once the current transaction commits."""
    from authentication.tasks import send_account_email_task

    transaction.on_commit(
        partial(send_account_email_task.delay, to=to, subject=subject, template=template, context=context)
    )
