"""Each Celery queue has its own exchange and routing key (the worker banner shows them)."""

from designiaBackend.celery import MARKETPLACE_QUEUE, PAYMENT_QUEUE
from designiaBackend.celery import app as celery_app


def test_every_queue_has_its_own_direct_exchange_and_routing_key():
    queues = {
        queue.name: (queue.exchange.name, queue.exchange.type, queue.routing_key)
        for queue in celery_app.conf.task_queues
    }
    assert queues == {
        PAYMENT_QUEUE: (PAYMENT_QUEUE, "direct", PAYMENT_QUEUE),
        MARKETPLACE_QUEUE: (MARKETPLACE_QUEUE, "direct", MARKETPLACE_QUEUE),
    }


def test_tasks_are_sent_to_their_queue_exchange_with_its_routing_key():
    router = celery_app.amqp.router
    payment = router.route({}, "payment_system.Tasks.payment_tasks.payment_timeouts_check_task")["queue"]
    other = router.route({}, "authentication.tasks.purge_expired_codes_task")["queue"]
    assert (payment.name, payment.exchange.name, payment.routing_key) == (PAYMENT_QUEUE,) * 3
    assert (other.name, other.exchange.name, other.routing_key) == (MARKETPLACE_QUEUE,) * 3
