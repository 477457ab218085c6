"""The ops configuration (infrastructure/kong, prometheus, grafana) checked without Docker:
files parse, reference files that exist, agree on hosts and ports, route only paths Django
serves, and chart only metrics the code exports."""

import json
import os
import re
import runpy
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
import yaml
from django.conf import settings
from django.urls import Resolver404, get_resolver, resolve
from django.urls.resolvers import URLPattern, URLResolver

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infrastructure"
KONG_DIR = INFRA / "kong"
GUNICORN_CONF = INFRA / "gunicorn" / "gunicorn.conf.py"
COMPOSE_FILES = {
    "kong": KONG_DIR / "docker-compose.kong.yml",
    "observability-only": KONG_DIR / "docker-compose.observability-only.yml",
}
PROMETHEUS_FILES = {
    "kong": INFRA / "prometheus/prometheus.yml",
    "observability-only": INFRA / "prometheus/prometheus.host.yml",
}
DASHBOARDS = sorted((INFRA / "grafana/dashboards").glob("*.json"))


def load_yaml(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def compose(name):
    return load_yaml(COMPOSE_FILES[name])


def kong():
    return load_yaml(KONG_DIR / "kong.yml")


def listening_ports(service):
    """Ports a compose service listens on inside the network (``expose`` and the container side of ``ports``)."""
    ports = {int(port) for port in service.get("expose", [])}
    ports |= {int(str(mapping).rsplit(":", 1)[-1]) for mapping in service.get("ports", [])}
    return ports


def assert_reachable(stack, host, port):
    services = compose(stack)["services"]
    if host == "host.docker.internal":  # the observability-only stack watches the host
        return
    if host == "localhost":
        return
    assert host in services, f"{host} is not a service of the {stack} stack"
    assert port in listening_ports(services[host]), f"{host} does not listen on {port} in the {stack} stack"


# --- compose ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", sorted(COMPOSE_FILES))
def test_compose_file_parses_and_mounts_files_that_exist(stack):
    document = compose(stack)
    assert document["services"]
    for name, service in document["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (COMPOSE_FILES[stack].parent / source).resolve().exists(), f"{name}: {source}"
        build = service.get("build")
        if build:
            context = (COMPOSE_FILES[stack].parent / build["context"]).resolve()
            assert context == ROOT
            assert (context / build["dockerfile"]).is_file()
        for secret in service.get("secrets", []):
            assert secret in document["secrets"]


def test_the_full_stack_has_every_part_on_its_documented_port():
    services = compose("kong")["services"]
    expected = {
        "kong",
        "api",
        "ws",
        "worker",
        "beat",
        "flower",
        "migrate",
        "mariadb",
        "redis",
        "prometheus",
        "grafana",
        "jaeger",
    }
    assert expected <= set(services)
    assert "8000:8000" in services["kong"]["ports"]
    assert "${OPS_BIND_ADDRESS:-127.0.0.1}:3001:3000" in services["grafana"]["ports"]
    assert "${OPS_BIND_ADDRESS:-127.0.0.1}:16686:16686" in services["jaeger"]["ports"]
    assert services["kong"]["environment"]["KONG_DATABASE"] == "off"
    assert services["kong"]["environment"]["KONG_DECLARATIVE_CONFIG"] == "/kong/declarative/kong.yml"
    assert "./kong.yml:/kong/declarative/kong.yml:ro" in services["kong"]["volumes"]
    # Each Django process listens where the others look for it.
    assert "gunicorn -c infrastructure/gunicorn/gunicorn.conf.py" in services["api"]["command"]
    gunicorn_conf = runpy.run_path(str(GUNICORN_CONF))
    assert gunicorn_conf["bind"] == "0.0.0.0:8000"
    assert (gunicorn_conf["workers"], gunicorn_conf["threads"]) == (4, 1)  # sync, as benchmarked
    assert "8000" in services["api"]["expose"]
    assert services["ws"]["command"].startswith("uvicorn ") and "--workers" in services["ws"]["command"]
    assert "--port 8001" in services["ws"]["command"] and "8001" in services["ws"]["expose"]
    assert services["worker"]["environment"]["CELERY_METRICS_PORT"] in services["worker"]["expose"]
    assert " -E " in services["worker"]["command"]  # task events, for Flower
    assert "--port=5555" in services["flower"]["command"]
    assert services["kong"]["environment"]["KONG_STATUS_LISTEN"].endswith(":8100")
    # Kong's access log leaves out query strings (socket URLs carry the access token).
    log_format = services["kong"]["environment"]["KONG_NGINX_HTTP_LOG_FORMAT"]
    assert log_format.startswith("no_query ") and "$$uri" in log_format
    assert not re.search(r"\$\$(request|request_uri|args|query_string)\b", log_format)
    assert services["kong"]["environment"]["KONG_PROXY_ACCESS_LOG"] == "/dev/stdout no_query"
    otlp = urlsplit(services["api"]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"])
    assert_reachable("kong", otlp.hostname, otlp.port)


def test_the_full_stack_runs_django_as_in_production():
    environment = compose("kong")["services"]["api"]["environment"]
    assert environment["DEBUG"] == "False"
    assert environment["LOG_FORMAT"] == "json"
    assert environment["PROMETHEUS_MULTIPROC_DIR"] in compose("kong")["services"]["api"]["tmpfs"]
    assert environment["METRICS_TOKEN"] == "${METRICS_TOKEN:?set METRICS_TOKEN}"
    assert environment["OTEL_TRACES_EXPORTER"] == "otlp"
    assert environment["OTEL_SERVICE_NAME"] == "designia-api"


def test_observability_only_stack():
    services = compose("observability-only")["services"]
    assert set(services) == {"prometheus", "grafana", "jaeger"}
    assert "${OPS_BIND_ADDRESS:-127.0.0.1}:3001:3000" in services["grafana"]["ports"]
    assert "${OPS_BIND_ADDRESS:-127.0.0.1}:16686:16686" in services["jaeger"]["ports"]
    assert "host.docker.internal:host-gateway" in services["prometheus"]["extra_hosts"]


def test_dockerfile_installs_the_requirements_and_runs_gunicorn_with_its_config():
    dockerfile = (KONG_DIR / "Dockerfile").read_text()
    assert "pip install -r requirements.txt" in dockerfile
    assert '"infrastructure/gunicorn/gunicorn.conf.py"' in dockerfile
    assert (ROOT / "requirements.txt").is_file()


def test_gunicorn_hooks_reset_and_reap_the_metrics_files(tmp_path, monkeypatch):
    hooks = runpy.run_path(str(GUNICORN_CONF))
    (tmp_path / "counter_123.db").write_bytes(b"old")
    (tmp_path / "keep.txt").write_text("not a metrics file")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    hooks["on_starting"](server=None)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["keep.txt"]
    (tmp_path / "gauge_livesum_4242.db").write_bytes(b"")
    hooks["child_exit"](server=None, worker=type("Worker", (), {"pid": 4242})())
    assert not (tmp_path / "gauge_livesum_4242.db").exists()


# --- Kong ------------------------------------------------------------------------------------------


def kong_routes():
    for service in kong()["services"]:
        for route in service["routes"]:
            yield service, route


def django_http_prefixes():
    """Every URL Django serves, as the literal text before its first parameter."""
    prefixes = []

    def walk(patterns, prefix):
        for pattern in patterns:
            text = prefix + str(pattern.pattern).lstrip("^").split("<", 1)[0].split("(", 1)[0].rstrip("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern):
                prefixes.append("/" + text)

    walk(get_resolver().url_patterns, "")
    return prefixes


def test_kong_is_db_less_declarative_config():
    document = kong()
    assert document["_format_version"] == "3.0"
    names = [route["name"] for _, route in kong_routes()]
    assert len(names) == len(set(names))


def test_every_kong_http_route_resolves_in_django():
    served = django_http_prefixes()
    for service, route in kong_routes():
        if service["name"] == "designia-websockets":
            continue
        for path in route["paths"]:
            try:
                resolve(path)
            except Resolver404:
                # A catch-all prefix route (/api/) must lead to URLs that Django serves.
                assert path.endswith("/") and any(url.startswith(path) for url in served), path


def test_every_websocket_route_goes_to_daphne_and_exists_in_chat_routing():
    from chat.routing import websocket_urlpatterns

    (service,) = [s for s in kong()["services"] if s["name"] == "designia-websockets"]
    assert urlsplit(service["url"]).netloc == "ws:8001"
    kong_paths = [path for route in service["routes"] for path in route["paths"]]
    socket_paths = ["/" + str(pattern.pattern).split("<", 1)[0] for pattern in websocket_urlpatterns]
    assert socket_paths and all(path.startswith("/ws/") for path in socket_paths)
    for kong_path in kong_paths:
        assert any(path.startswith(kong_path) for path in socket_paths), kong_path
    for path in socket_paths:
        assert any(path.startswith(kong_path) for kong_path in kong_paths), path
    for example in ("ws/activity/", "ws/chat/42/"):
        assert any(pattern.pattern.match(example) for pattern in websocket_urlpatterns), example


def test_every_django_url_is_reachable_through_kong():
    kong_paths = [path for _, route in kong_routes() for path in route["paths"]]
    for url in django_http_prefixes():
        assert any(url.startswith(path) for path in kong_paths), f"{url} is not routed by Kong"


def test_kong_upstreams_are_services_of_the_stack():
    for service in kong()["services"]:
        upstream = urlsplit(service["url"])
        assert_reachable("kong", upstream.hostname, upstream.port)


def test_auth_endpoints_are_rate_limited_and_metrics_are_not_public():
    limited = {}
    for _, route in kong_routes():
        plugins = {plugin["name"]: plugin["config"] for plugin in route.get("plugins", [])}
        for path in route["paths"]:
            limited[path] = plugins
    for path in (
        "/api/auth/login/",
        "/api/auth/login/verify-2fa/",
        "/api/auth/register/",
        "/api/auth/password/reset/",
        "/api/auth/2fa/send-code/",
        "/api/auth/google/login/",
    ):
        assert limited[path]["rate-limiting"]["limit_by"] == "ip", path
        assert resolve(path).url_name.startswith("auth-"), path
    assert limited["/api/auth/login/"]["rate-limiting"]["minute"] == 20
    restriction = limited["/metrics"]["ip-restriction"]
    assert "0.0.0.0/0" not in restriction["allow"]
    assert resolve("/metrics").url_name == "prometheus-metrics"
    assert "rate-limiting" not in limited["/api/"]


def test_kong_global_plugins():
    plugins = {plugin["name"]: plugin.get("config", {}) for plugin in kong()["plugins"]}
    assert plugins["correlation-id"]["header_name"] == "X-Request-ID"
    assert plugins["correlation-id"]["echo_downstream"] is True
    assert "prometheus" in plugins
    endpoint = urlsplit(plugins["opentelemetry"]["traces_endpoint"])
    assert_reachable("kong", endpoint.hostname, endpoint.port)
    # CORS is Django's job (exact origin echo with credentials, contract §1.2).
    every_plugin = set(plugins) | {p["name"] for _, r in kong_routes() for p in r.get("plugins", [])}
    assert "cors" not in every_plugin


# --- Prometheus ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", sorted(PROMETHEUS_FILES))
def test_prometheus_scrapes_django_celery_flower_and_reachable_targets(stack):
    document = load_yaml(PROMETHEUS_FILES[stack])
    jobs = {job["job_name"]: job for job in document["scrape_configs"]}
    assert {"django", "celery", "flower"} <= set(jobs)
    for job in jobs.values():
        for static in job["static_configs"]:
            for target in static["targets"]:
                host, port = target.rsplit(":", 1)
                assert_reachable(stack, host, int(port))
    # Django asks for the token: Prometheus reads it from the compose secret.
    credentials = jobs["django"]["authorization"]["credentials_file"]
    assert credentials.startswith("/run/secrets/")
    prometheus_service = compose(stack)["services"]["prometheus"]
    assert credentials.removeprefix("/run/secrets/") in prometheus_service["secrets"]
    mounted = [v for v in prometheus_service["volumes"] if v.endswith(":/etc/prometheus/prometheus.yml:ro")]
    (mount,) = mounted
    assert (COMPOSE_FILES[stack].parent / mount.split(":")[0]).resolve() == PROMETHEUS_FILES[stack]
    if stack == "kong":
        assert "kong" in jobs


# --- Grafana ---------------------------------------------------------------------------------------


def provisioned_datasources():
    document = load_yaml(INFRA / "grafana/provisioning/datasources/datasources.yml")
    return {source["uid"]: source for source in document["datasources"]}


@pytest.mark.parametrize("stack", sorted(COMPOSE_FILES))
def test_grafana_provisioning_matches_the_stack(stack):
    sources = provisioned_datasources()
    assert {source["type"] for source in sources.values()} == {"prometheus", "jaeger"}
    for source in sources.values():
        url = urlsplit(source["url"])
        assert_reachable(stack, url.hostname, url.port)
    providers = load_yaml(INFRA / "grafana/provisioning/dashboards/dashboards.yml")["providers"]
    (provider,) = providers
    volumes = compose(stack)["services"]["grafana"]["volumes"]
    assert f"../grafana/dashboards:{provider['options']['path']}:ro" in volumes


def test_four_dashboards_api_business_celery_chat():
    uids = [json.loads(path.read_text())["uid"] for path in DASHBOARDS]
    assert sorted(uids) == ["designia-api", "designia-business", "designia-celery", "designia-chat"]


PROMQL_FUNCTIONS = {
    "rate",
    "irate",
    "increase",
    "sum",
    "avg",
    "max",
    "min",
    "count",
    "topk",
    "bottomk",
    "histogram_quantile",
    "clamp_min",
    "abs",
    "vector",
    "delta",
    "deriv",
    "avg_over_time",
    "max_over_time",
    "sum_over_time",
    "label_replace",
    "time",
    "scalar",
    "absent",
}
PROMQL_KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
    "inf",
    "nan",
}


def metric_names(expression):
    """The metric names a PromQL expression reads (strings, label matchers and ranges removed)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    names = set()
    for word, call in re.findall(r"(?<![\w.])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?", text):
        if call:
            assert word in PROMQL_FUNCTIONS, f"unknown PromQL function {word} in {expression}"
        elif word.lower() not in PROMQL_KEYWORDS:
            names.add(word)
    return names


def test_metric_name_extraction():
    expression = 'histogram_quantile(0.95, sum by (le, view) (rate(designia_http_request_duration_seconds_bucket{view=~"chat-.*"}[5m]))) / on(view) x_total'
    assert metric_names(expression) == {"designia_http_request_duration_seconds_bucket", "x_total"}


# No "_created": multi-process mode does not serve those samples.
SUFFIXES = {
    "counter": ("_total",),
    "histogram": ("_bucket", "_sum", "_count"),
    "gauge": ("",),
    "summary": ("_sum", "_count", ""),
}


def exported_names(families):
    names = set()
    for family in families:
        names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
    return names


def code_metric_names():
    """Every metric registered by the project's code (all URL modules loaded), without the
    process/platform collectors that multi-process mode does not serve."""
    from prometheus_client import GC_COLLECTOR, PLATFORM_COLLECTOR, PROCESS_COLLECTOR, REGISTRY

    from designiaBackend.observability.ops_metrics import OpsCollector

    get_resolver().url_patterns  # noqa: B018 - imports every view and service module
    computed_at_scrape = exported_names(OpsCollector().describe())  # served beside the registry
    defaults = exported_names(
        family
        for collector in (GC_COLLECTOR, PLATFORM_COLLECTOR, PROCESS_COLLECTOR)
        for family in collector.collect()
    )
    return (exported_names(REGISTRY.collect()) | computed_at_scrape) - defaults


@pytest.fixture(scope="module")
def flower_metric_names():
    """The metric families a real Flower process (the `make flower` command) serves."""
    if not settings.REDIS_URL:
        pytest.fail("The Flower check needs Redis: set REDIS_URL.")
    import socket

    from prometheus_client.parser import text_string_to_metric_families

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "CELERY_BROKER_URL": settings.REDIS_URL, "CELERY_RESULT_BACKEND": settings.REDIS_URL}
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "designiaBackend",
        "flower",
        f"--port={port}",
        "--address=127.0.0.1",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, "Flower exited"
            try:
                with urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:  # noqa: S310
                    text = response.read().decode()
                return {
                    n for n in exported_names(text_string_to_metric_families(text)) if n.startswith("flower_")
                }
            except (URLError, ConnectionError):
                time.sleep(0.3)
        pytest.fail("Flower did not serve /metrics within 60 s")
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=lambda path: path.stem)
def test_every_panel_queries_only_metrics_the_code_exports(dashboard, flower_metric_names):
    exported = code_metric_names() | flower_metric_names
    sources = provisioned_datasources()
    document = json.loads(dashboard.read_text())
    assert document["panels"]
    for panel in document["panels"]:
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] in sources
        for target in panel["targets"]:
            names = metric_names(target["expr"])
            assert names, f"{panel['title']}: no metric in {target['expr']}"
            missing = names - exported
            assert not missing, f"{dashboard.name} / {panel['title']}: {sorted(missing)} not exported"


def test_flower_serves_its_metrics_against_redis(flower_metric_names):
    assert {
        "flower_events_total",
        "flower_worker_online",
        "flower_task_runtime_seconds_bucket",
    } <= flower_metric_names


def test_gunicorn_conf_sits_beside_the_server_it_configures_not_in_kong():
    assert GUNICORN_CONF.is_file()
    assert not (KONG_DIR / "gunicorn.conf.py").exists()
