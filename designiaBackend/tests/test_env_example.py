"""Every environment variable the settings read is documented in .env.example."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_CALL = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")
DOCUMENTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.M)


def _read_by_settings():
    names = set()
    for path in (ROOT / "designiaBackend").rglob("*.py"):
        if "tests" not in path.parts:
            names |= set(ENV_CALL.findall(path.read_text()))
    return names


def test_every_setting_from_the_environment_is_documented():
    documented = set(DOCUMENTED.findall((ROOT / ".env.example").read_text()))
    missing = sorted(_read_by_settings() - documented)
    assert not missing, f"Document these in .env.example: {missing}"


def test_env_example_holds_no_secrets():
    text = (ROOT / ".env.example").read_text()
    assert "sk_live_" not in text and "sk_test_" not in text
    assert not re.search(r"^SECRET_KEY=\S", text, re.M), "SECRET_KEY must be left empty/commented"
