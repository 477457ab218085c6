"""Secret scan of every tracked file (``make lint``): fails on any finding not in ``.secrets.baseline``.

The baseline lists the audited false positives (test passwords, example URLs, the development
SECRET_KEY). Unlike ``detect-secrets-hook`` this never rewrites the baseline; after auditing a new
false positive, refresh it with ``make secrets-baseline`` and commit it.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from detect_secrets.core import baseline
from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.settings import transient_settings

ROOT = Path(__file__).resolve().parents[1]
BASELINE_NAME = ".secrets.baseline"


def tracked_files(root: Path) -> list[str]:
    git = shutil.which("git") or "git"
    listed = subprocess.run(
        [git, "ls-files", "-z"], cwd=root, capture_output=True, check=True
    ).stdout  # noqa: S603
    names = listed.decode().split("\0")
    return [name for name in names if name and name != BASELINE_NAME and (root / name).is_file()]


def main(root: Path = ROOT) -> int:
    os.chdir(root)  # findings and the baseline name files relative to the repository
    saved = baseline.load_from_file(BASELINE_NAME)
    with transient_settings(saved):
        known = SecretsCollection.load_from_baseline(saved)
        found = SecretsCollection()
        found.scan_files(*tracked_files(root))
        new = list(found - known)
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
