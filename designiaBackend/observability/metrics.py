"""Business metrics (Prometheus). One place that names every metric the dashboards read.

Services count events after the fact (``metrics.LOGINS.labels(outcome="ok").inc()``); the
exposition (``/metrics``, multi-process aggregation) lives beside this module. Label values are
small fixed sets, never ids or free text.
"""

from prometheus_client import Counter, Gauge, Histogram

SIGNUPS = Counter("designia_signups_total", "Accounts created.", ["method"])  # email | google
LOGINS = Counter(
    "designia_logins_total", "Login attempts by outcome.", ["outcome"]
)  # ok | failed | two_factor_required | unverified | throttled

ORDER_STATUS_TRANSITIONS = Counter(
    "designia_order_status_transitions_total", "Orders entering each status.", ["status"]
)
ORDER_VALUE = Histogram(
    "designia_order_value",
    "Total amount of orders placed, in their currency's major unit.",
    ["currency"],
    buckets=(10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000),
)
CHECKOUT_FAILURES = Counter(
    "designia_checkout_failures_total", "Checkouts refused or failed, by reason.", ["reason"]
)  # empty_cart | out_of_stock | product_unavailable | provider_error
STOCK_RESERVATION_CONFLICTS = Counter(
    "designia_stock_reservation_conflicts_total", "Reservations refused because stock ran out."
)
WEBHOOK_EVENTS = Counter(
    "designia_webhook_events_total",
    "Stripe webhook deliveries by event type and outcome.",
    ["type", "outcome"],
)  # outcome: processed | duplicate | ignored | invalid_signature | failed
WEBHOOK_PROCESSING_LAG = Histogram(
    "designia_webhook_processing_lag_seconds",
    "Time from Stripe creating a platform event to its processing here (first delivery only).",
    buckets=(1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 21600),
)
PAYOUT_UPDATES = Counter(
    "designia_payout_updates_total", "Seller payout states recorded from Connect events.", ["status"]
)  # pending | in_transit | paid | failed | canceled
REFUNDS = Counter(
    "designia_refunds_total", "Refunds by outcome.", ["outcome"]
)  # requested | succeeded | failed
TRANSFERS = Counter(
    "designia_transfers_total", "Seller transfers by outcome.", ["outcome"]
)  # created | failed | reversed

CHAT_MESSAGES = Counter("designia_chat_messages_total", "Chat messages stored.", ["message_type", "channel"])
OPEN_SOCKETS = Gauge(
    "designia_websocket_connections",
    "Open WebSocket connections.",
    ["consumer"],
    multiprocess_mode="livesum",
)
WEBSOCKET_FRAMES = Counter(
    "designia_websocket_frames_total", "Frames received from WebSocket clients.", ["consumer"]
)
WEBSOCKET_ERRORS = Counter(
    "designia_websocket_errors_total",
    "Error frames sent to WebSocket clients, by code.",
    ["consumer", "code"],
)

CELERY_TASKS = Counter(
    "designia_celery_tasks_total", "Celery task runs by final state.", ["task", "queue", "state"]
)  # state: success | failure | retry
CELERY_TASK_DURATION = Histogram(
    "designia_celery_task_duration_seconds",
    "Celery task run time.",
    ["task", "queue"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)

# --- HTTP and database (recorded by designiaBackend.observability.middleware) -----------------
# ``view`` is the URL pattern's name (``product-list``, ``admin:index``), never the raw path.
HTTP_REQUESTS = Counter(
    "designia_http_requests_total",
    "HTTP requests served, by view, method and status code.",
    ["view", "method", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "designia_http_request_duration_seconds",
    "Time to serve an HTTP request, by view and method.",
    ["view", "method"],
    # 0.3: the latency SLO's threshold (docs/runbooks/api-latency-slo.md).
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10),
)
DB_QUERIES = Counter(
    "designia_db_queries_total", "Database queries run while serving HTTP requests, by view.", ["view"]
)

# --- After-commit side effects (designiaBackend.api.after_commit, designiaBackend.outbox) -----
AFTER_COMMIT_FAILURES = Counter(
    "designia_after_commit_failures_total",
    "Best-effort side effects that failed after commit (logged, never raised), by effect.",
    ["effect"],
)
OUTBOX_RELAY_FAILURES = Counter(
    "designia_outbox_relay_failures_total",
    "Outbox messages the broker did not take (the relay tries again).",
)
CACHE_FAILURES = Counter(
    "designia_cache_failures_total",
    "Cache operations that failed or were skipped by the open circuit, by operation.",
    ["operation"],
)
