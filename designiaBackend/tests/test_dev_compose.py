"""docker-compose.dev.yml (no Docker engine here: checked as a file)."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.dev.yml"


def test_dev_compose_declares_the_documented_services_and_ports():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert services["mysql"]["image"].startswith("mysql:8.0")
    assert "127.0.0.1:3308:3306" in services["mysql"]["ports"]  # loopback: development passwords
    assert "127.0.0.1:6379:6379" in services["redis"]["ports"]
    assert {"127.0.0.1:9100:9100", "127.0.0.1:9101:9101"} <= set(services["minio"]["ports"])
    assert "app-network" in compose["networks"]
    for name, service in services.items():
        assert service["networks"] == ["app-network"], name
