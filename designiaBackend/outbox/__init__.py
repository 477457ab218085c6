"""The transactional outbox: tasks that must happen, recorded in the transaction that needs them.

``designiaBackend.api.after_commit.must_happen`` writes an ``OutboxMessage``; ``relay`` hands it to
Celery right after the commit and again from the beat schedule until the broker takes it;
``tasks.outbox_deliver_task`` runs the task once per key.
"""
