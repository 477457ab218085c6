"""The transactional outbox: tasks that must happen, recorded in the transaction that needs them.

``designiaBackend.api.after_commit.must_happen`` writes an ``OutboxMessage``; ``relay`` hands it to
Celery right after the commit and again from the beat schedule until the broker takes it;
each message goes to the broker as its own task (so its rate and time limits apply) and
``task_base.OutboxTask``, every task's base class, runs it once per message.
"""
