"""The alert rules as files: each has a runbook, a firing unit test (`promtool test rules`, also in
`make lint`), reads metrics the code exports, and Alertmanager is wired into the compose stack."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from designiaBackend.tests.ops.stack import ALERT_RULES, COMPOSE_FILE, PROMETHEUS_CONFIG, ROOT

ALERTS_DIR = ROOT / "infrastructure/prometheus/alerts"
ALERTMANAGER_CONFIG = ROOT / "infrastructure/prometheus/alertmanager.yml"
RULE_TESTS = sorted((ALERTS_DIR / "tests").glob("*.test.yml"))


def _rules():
    for path in ALERT_RULES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            yield from group["rules"]


def alerting_rules():
    return [rule for rule in _rules() if "alert" in rule]


def test_every_alert_links_an_existing_runbook_that_names_it():
    for rule in alerting_rules():
        runbook = rule["annotations"]["runbook_url"]
        assert runbook.startswith("docs/runbooks/"), rule["alert"]
        page = ROOT / runbook
        assert page.is_file(), f"{rule['alert']}: {runbook} is missing"
        assert rule["alert"] in page.read_text(), f"{runbook} does not name {rule['alert']}"
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert {"summary", "description"} <= set(rule["annotations"])
    index = (ROOT / "docs/runbooks/README.md").read_text()
    for page in (ROOT / "docs/runbooks").glob("*.md"):
        assert page.name == "README.md" or f"({page.name})" in index, f"{page.name} is not in the index"


def test_every_alert_has_a_unit_test_that_makes_it_fire():
    fired = set()
    for path in RULE_TESTS:
        document = yaml.safe_load(path.read_text())
        assert {(ALERTS_DIR / "tests" / name).resolve() for name in document["rule_files"]} <= set(
            ALERT_RULES
        )
        for case in document["tests"]:
            fired |= {test["alertname"] for test in case.get("alert_rule_test", []) if test["exp_alerts"]}
    assert {rule["alert"] for rule in alerting_rules()} <= fired


def test_promtool_accepts_the_rules():
    """The unit tests themselves (`promtool test rules`) run in `make lint`, which `make test` runs first."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: .ci/run installs Debian's prometheus package"
    command = [promtool, "check", "rules", *map(str, ALERT_RULES)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_lint_runs_promtool_and_amtool():
    lint = re.search(r"^lint:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.M | re.S).group(0)
    assert "promtool check rules infrastructure/prometheus/alerts/*.rules.yml" in lint
    assert "promtool test rules infrastructure/prometheus/alerts/tests/*.test.yml" in lint
    assert "amtool check-config infrastructure/prometheus/alertmanager.yml" in lint


def rule_inputs():
    """``(rule name, metric names it reads)`` of every rule (recording rules' outputs included)."""
    from designiaBackend.tests.test_ops_configs import metric_names

    for rule in _rules():
        # The dashboards' parser reads "or (" as a call: the set operators are dropped first.
        expression = re.sub(r"\b(?:and|or|unless)\b", " + ", rule["expr"])
        yield rule.get("alert") or rule["record"], metric_names(expression)


def recording_rules():
    return [rule["record"] for rule in _rules() if "record" in rule]


def test_every_metric_an_alert_reads_is_exported():
    from designiaBackend.tests.test_ops_configs import code_metric_names

    exported = code_metric_names()
    recorded = set(recording_rules())
    for name, metrics in rule_inputs():
        assert metrics, f"{name} reads no metric"
        assert metrics <= exported | recorded, f"{name} reads {sorted(metrics - exported - recorded)}"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def test_prometheus_loads_the_rules_and_sends_to_alertmanager_in_the_stack(compose):
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts/*.rules.yml"]
    assert "../prometheus/alerts:/etc/prometheus/alerts:ro" in compose["prometheus"]["volumes"]
    (target,) = config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    host, port = target.split(":")
    assert port in compose[host]["expose"]
    assert "../prometheus/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro" in compose[host]["volumes"]
    assert "alertmanager_smtp_password" in compose[host]["secrets"]


def test_alertmanager_routes_every_severity_to_the_email_receiver():
    config = yaml.safe_load(ALERTMANAGER_CONFIG.read_text())
    receivers = {receiver["name"]: receiver for receiver in config["receivers"]}
    assert receivers[config["route"]["receiver"]]["email_configs"][0]["to"]
    assert config["global"]["smtp_auth_password_file"] == "/run/secrets/alertmanager_smtp_password"
    amtool = shutil.which("amtool")
    assert amtool, "amtool is missing: .ci/run installs Debian's prometheus-alertmanager package"
    for severity in ("page", "ticket"):
        result = subprocess.run(  # noqa: S603
            [
                amtool,
                "config",
                "routes",
                "test",
                f"--config.file={ALERTMANAGER_CONFIG}",
                f"severity={severity}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (result.returncode, result.stdout.strip()) == (0, "email-oncall"), result.stderr


def test_runbooks_have_the_three_parts():
    for page in Path(ROOT / "docs/runbooks").glob("*.md"):
        if page.name in {"README.md", "restore.md"}:
            continue
        text = page.read_text()
        assert "**Meaning.**" in text or "**Objective.**" in text, page.name
        assert "## Confirm" in text and "## Fix" in text, page.name
