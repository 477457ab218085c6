"""Celery tasks of the payment system (queues ``payment_tasks`` and ``marketplace_tasks``).

This package is the documented import path: ``from payment_system.Tasks import ...``.
"""
