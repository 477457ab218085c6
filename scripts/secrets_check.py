"""Secret scan of every tracked file (``make lint``): fails on any finding not in ``.secrets.baseline``.

Every detector of the baseline runs on every file, except that test files are not searched for
password-like keywords (``password = "..."`` is what a test of a login looks like); key-shaped
strings (Stripe, AWS, private keys, JWTs, high-entropy strings) are caught in tests too. The
baseline lists the audited false positives (example URLs, the development SECRET_KEY, demo
passwords). Unlike ``detect-secrets-hook`` this never rewrites the baseline; after auditing a new
false positive, record it with ``make secrets-baseline`` and commit the baseline.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any

from detect_secrets.core import baseline
from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.settings import transient_settings

ROOT = Path(__file__).resolve().parents[1]
BASELINE_NAME = ".secrets.baseline"
KEYWORD_DETECTOR = "KeywordDetector"


def tracked_files(root: Path) -> list[str]:
    git = shutil.which("git") or "git"
    command = [git, "ls-files", "-z"]
    listed = subprocess.run(command, cwd=root, capture_output=True, check=True).stdout  # noqa: S603
    names = listed.decode().split("\0")
    return [name for name in names if name and name != BASELINE_NAME and (root / name).is_file()]


def is_test_file(name: str) -> bool:
    path = PurePosixPath(name)
    return "tests" in path.parts[:-1] or path.name.startswith("test_") or path.name == "conftest.py"


def _scan(settings: dict[str, Any], names: list[str]) -> SecretsCollection:
    with transient_settings(settings):
        found = SecretsCollection()
        if names:
            found.scan_files(*names)
    return found


def new_findings(root: Path) -> list[tuple[str, Any]]:
    os.chdir(root)  # findings and the baseline name files relative to the repository
    saved = baseline.load_from_file(BASELINE_NAME)
    without_keywords = {
        **saved,
        "plugins_used": [plugin for plugin in saved["plugins_used"] if plugin["name"] != KEYWORD_DETECTOR],
    }
    names = tracked_files(root)
    found = _scan(saved, [name for name in names if not is_test_file(name)])
    in_tests = _scan(without_keywords, [name for name in names if is_test_file(name)])
    for filename in in_tests.files:
        found[filename] = in_tests[filename]
    with transient_settings(saved):
        known = SecretsCollection.load_from_baseline(saved)
        return list(found - known)


def main(root: Path = ROOT) -> int:
    new = new_findings(root)
    if not new:
        sys.stdout.write(f"detect-secrets: no secrets beyond {BASELINE_NAME}.\n")
        return 0
    for filename, secret in new:
        sys.stderr.write(f"{filename}:{secret.line_number}: {secret.type}\n")
    sys.stderr.write(
        f"detect-secrets: {len(new)} finding(s) not in {BASELINE_NAME}: a real secret must go; an audited\n"
        "false positive goes into the baseline (make secrets-baseline).\n"
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT))
