"""Each Celery queue has its own exchange and routing key (the worker banner shows them)."""

from designiaBackend.celery import EMAIL_QUEUE, MARKETPLACE_QUEUE, PAYMENT_QUEUE
from designiaBackend.celery import app as celery_app


def test_every_queue_has_its_own_direct_exchange_and_routing_key():
    queues = {
        queue.name: (queue.exchange.name, queue.exchange.type, queue.routing_key)
        for queue in celery_app.conf.task_queues
    }
    assert queues == {
        PAYMENT_QUEUE: (PAYMENT_QUEUE, "direct", PAYMENT_QUEUE),
        MARKETPLACE_QUEUE: (MARKETPLACE_QUEUE, "direct", MARKETPLACE_QUEUE),
        EMAIL_QUEUE: (EMAIL_QUEUE, "direct", EMAIL_QUEUE),
    }


def test_tasks_are_sent_to_their_queue_exchange_with_its_routing_key():
    router = celery_app.amqp.router
    payment = router.route({}, "payment_system.Tasks.payment_tasks.payment_timeouts_check_task")["queue"]
    other = router.route({}, "authentication.tasks.purge_expired_codes_task")["queue"]
    assert (payment.name, payment.exchange.name, payment.routing_key) == (PAYMENT_QUEUE,) * 3
    assert (other.name, other.exchange.name, other.routing_key) == (MARKETPLACE_QUEUE,) * 3


def test_e_mails_have_their_own_queue_and_the_outbox_delivers_them_there():
    from designiaBackend.outbox.relay import queue_for

    router = celery_app.amqp.router
    for name in (
        "authentication.tasks.send_account_email_task",
        "marketplace.ordering.tasks.order_email_send_task",
        "marketplace.ordering.tasks.order_emails_send_task",
    ):
        assert router.route({}, name)["queue"].name == EMAIL_QUEUE
        assert queue_for(name) == EMAIL_QUEUE
    assert queue_for("payment_system.Tasks.payment_tasks.refund_submit_task") == PAYMENT_QUEUE
