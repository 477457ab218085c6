"""gunicorn settings of the production API server (``gunicorn -c infrastructure/gunicorn/gunicorn.conf.py``):
the API container, the README's production command and ``make bench`` all use them.

Sync workers: on 2 cores, 4 sync workers served the catalogue with the lowest tail latency; threads
(gthread, 3-4 workers x 2 threads) gave similar throughput but p99s of 60-155 ms instead of 15-50.

Each worker imports ``designiaBackend.wsgi`` itself (no ``preload_app``), so each one sets up its
own tracing exporter thread. Metrics are multi-process: every worker writes its samples to
``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` adds them up.
"""

import os
from pathlib import Path
from typing import Any

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))  # above 1, gunicorn switches to gthread
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Sync workers cannot defend against slow clients themselves: every production path puts a
# buffering proxy in front (Kong in the compose stack, nginx in the single-host recipe:
# infrastructure/nginx/designia.conf). These bound what still reaches a worker.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 16380
preload_app = False
# Django logs each request with its request id; gunicorn's own access log would repeat it.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")


def on_starting(server: Any) -> None:
    """Start from an empty metrics directory: files of a previous run would be added in."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for leftover in path.glob("*.db"):
            leftover.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A worker that exits no longer counts in the live gauges (open sockets, ...)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
