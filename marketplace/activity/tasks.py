from celery import shared_task

from marketplace.activity.services import activity_flush


@shared_task(name="marketplace.activity.tasks.activity_flush_task", ignore_result=True)
def activity_flush_task():
    """Beat, every minute: write buffered views/clicks/favorites/add-to-cart counts in one batch."""
    return activity_flush()
