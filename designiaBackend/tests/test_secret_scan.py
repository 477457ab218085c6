"""The secret scan of ``make lint`` (scripts/secrets_check.py, detect-secrets with the committed
baseline): a key-shaped string in a tracked file fails it; the audited baseline passes."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Built at run time so that no key-shaped literal sits in this file.
LIVE_SHAPED = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"


def scan(repo):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "secrets_check.py"), str(repo)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def repository(tmp_path, files):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copy(ROOT / ".secrets.baseline", tmp_path / ".secrets.baseline")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    return tmp_path


def test_a_live_key_shaped_string_fails_the_scan(tmp_path):
    repo = repository(tmp_path, {"settings_local.py": f'STRIPE_SECRET_KEY = "{LIVE_SHAPED}"\n'})

    result = scan(repo)

    assert result.returncode == 1
    assert "settings_local.py:1: Stripe Access Key" in result.stderr


def test_tests_may_hold_fake_passwords_but_no_key_shaped_strings(tmp_path):
    (tmp_path / "app" / "tests").mkdir(parents=True)
    repo = repository(
        tmp_path,
        {
            "app/tests/test_login.py": 'PASSWORD = "Corr3ct-Horse-Battery-9"\n',
            "app/tests/test_keys.py": f'KEY = "{LIVE_SHAPED}"\n',
            "app/settings_extra.py": 'password = "Corr3ct-Horse-Battery-9"\n',
        },
    )

    result = scan(repo)

    assert result.returncode == 1
    assert "app/tests/test_keys.py:1: Stripe Access Key" in result.stderr
    assert "app/settings_extra.py:1: Secret Keyword" in result.stderr
    assert "test_login.py" not in result.stderr


def test_clean_files_and_the_baselines_false_positives_pass(tmp_path):
    repo = repository(tmp_path, {"notes.py": 'GREETING = "hello"\n'})

    result = scan(repo)

    assert result.returncode == 0, result.stderr
    assert "no secrets beyond .secrets.baseline" in result.stdout


def test_the_fixtures_use_no_live_key_shaped_strings():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    pattern = "_".join(("sk", "live", ""))
    offenders = []
    for name in tracked.stdout.split():
        path = ROOT / name
        if path.suffix == ".py" and path.is_file():
            for number, line in enumerate(path.read_text(errors="ignore").splitlines(), start=1):
                if pattern in line and "sk_live_EXAMPLE" not in line and '"sk_live_" not in' not in line:
                    offenders.append(f"{name}:{number}")
    assert offenders == []
