"""A real Prometheus scrapes the running processes (gunicorn, uvicorn, a prefork Celery worker and
Flower, multi-process metrics as in production) with the project's scrape config, after a short
burst of real traffic; then every Grafana panel's query must return at least one series."""

import json
import re
import time
from pathlib import Path

import pytest

from designiaBackend.tests.ops.stack import ROOT, prometheus_api
from designiaBackend.tests.ops.test_alert_rules import recording_rules, rule_inputs
from designiaBackend.tests.ops.traffic import drive

DASHBOARDS = sorted((ROOT / "infrastructure/grafana/dashboards").glob("*.json"))
# Panels that cannot have data in a test run, with the reason. Keep it empty when possible.
NO_DATA_IN_TESTS: dict[tuple[str, str], str] = {}
GRAFANA_INTERVALS = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}


def _variable_value(variable: dict) -> str:
    """The variable's current value as a regex (``All`` becomes its ``allValue``)."""
    current = variable.get("current", {}).get("value")
    if current is None:
        current = [option["value"] for option in variable.get("options", [])][:1]
    values = current if isinstance(current, list) else [current]
    if "$__all" in values or not values:
        return variable.get("allValue") or ".*"
    return "|".join(str(value) for value in values)


def fill_templating(expression: str, dashboard: dict) -> str:
    """Grafana's variables replaced as a dashboard would: built-in intervals, then each
    templating variable's current value."""
    for name, value in GRAFANA_INTERVALS.items():
        expression = expression.replace(name, value)
    for variable in dashboard.get("templating", {}).get("list", []):
        pattern = rf"\$\{{{variable['name']}(?::\w+)?\}}|\${variable['name']}\b"
        expression = re.sub(pattern, _variable_value(variable).replace("\\", "\\\\"), expression)
    assert "$" not in expression, f"unfilled variable in {expression}"
    return expression


def panel_queries():
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                yield path.stem, panel["title"], fill_templating(target["expr"], dashboard)


def test_templating_variables_are_filled():
    dashboard = {"templating": {"list": [{"name": "queue", "current": {"value": ["payment_tasks"]}}]}}
    assert (
        fill_templating('rate(x{queue=~"$queue"}[$__rate_interval]) + y{q="${queue}"}', dashboard)
        == 'rate(x{queue=~"payment_tasks"}[1m]) + y{q="payment_tasks"}'
    )
    every = {"templating": {"list": [{"name": "queue", "allValue": ".+", "current": {"value": ["$__all"]}}]}}
    assert fill_templating('x{queue=~"$queue"}', every) == 'x{queue=~".+"}'
    celery = json.loads((ROOT / "infrastructure/grafana/dashboards/designia-celery.json").read_text())
    assert 'designia_celery_queue_length{queue=~".*"}' in fill_templating(
        'max by (queue) (designia_celery_queue_length{queue=~"$queue"})', celery
    )


def _series(prometheus, expression):
    return prometheus_api(prometheus, "query", query=expression)["result"]


def _empty_panels(prometheus, seconds=30):
    """Queries that still return nothing after ``seconds`` (rates need two scrapes of a series)."""
    pending = [query for query in panel_queries() if query[:2] not in NO_DATA_IN_TESTS]
    deadline = time.monotonic() + seconds
    while pending and time.monotonic() < deadline:
        pending = [query for query in pending if not _series(prometheus, query[2])]
        time.sleep(1)
    return pending


def _rules_without_data(prometheus, seconds=15):
    """Rules one of whose metrics has no series, and recording rules that recorded nothing."""
    recorded = set(recording_rules())
    queries = {f"count({record})": record for record in recorded}
    for name, metrics in rule_inputs():
        queries |= {f'count({{__name__="{metric}"}})': name for metric in metrics - recorded}
    deadline = time.monotonic() + seconds
    while queries and time.monotonic() < deadline:
        queries = {query: name for query, name in queries.items() if not _series(prometheus, query)}
        time.sleep(1)
    return sorted(set(queries.items()))


@pytest.mark.django_db(transaction=True)
def test_every_dashboard_panel_and_alert_input_has_data_after_real_traffic(stack, fake_stripe):
    traffic = drive(stack, fake_stripe)
    try:
        empty = _empty_panels(stack.prometheus)
        without_inputs = _rules_without_data(stack.prometheus)
        # The open chat socket is counted by a uvicorn worker, through the ws multi-process files.
        sockets = _series(
            stack.prometheus, 'sum by (consumer) (designia_websocket_connections{component="websockets"})'
        )
    finally:
        traffic.close()
    assert not empty, "panels without data:\n" + "\n".join(f"{d} / {t}: {q}" for d, t, q in empty)
    assert not without_inputs, f"alert rules reading metrics without a series: {without_inputs}"
    assert {s["metric"]["consumer"]: float(s["value"][1]) for s in sockets}.get("chat") == 1.0
    panels = {(dashboard, title) for dashboard, title, _ in panel_queries()}
    assert set(NO_DATA_IN_TESTS) <= panels, "the allow-list names a panel that no longer exists"


def test_prometheus_loads_every_alert_rule_and_evaluates_it(stack):
    groups = prometheus_api(stack.prometheus, "rules")["groups"]
    files = {Path(group["file"]).name for group in groups}
    assert files == {"designia.rules.yml", "slo.rules.yml"}
    rules = [rule for group in groups for rule in group["rules"]]
    deadline = time.monotonic() + 10
    while (
        any(rule.get("lastEvaluation", "").startswith("0001") for rule in rules)
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
        rules = [
            rule for group in prometheus_api(stack.prometheus, "rules")["groups"] for rule in group["rules"]
        ]
    assert all(rule["health"] == "ok" for rule in rules), [r for r in rules if r["health"] != "ok"]
    assert len([rule for rule in rules if rule["type"] == "alerting"]) == 21  # with the outbox backlog pair
