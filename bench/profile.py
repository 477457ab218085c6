"""py-spy around the benchmarks' server processes: record while a phase runs, then sum the
samples by function (own time, and time including callees) for bench/RESULTS.md."""

import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


class Profile:
    """``py-spy record --gil`` on ``pid`` and its worker subprocesses, in raw (collapsed stack) form."""

    def __init__(self, pid: int, seconds: float, rate: int = 200, subprocesses: bool = True) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="designia-bench-")) / "profile.txt"
        beside = Path(sys.executable).parent / "py-spy"  # the running virtualenv's
        executable = shutil.which("py-spy") or str(
            beside if beside.exists() else Path(__file__).resolve().parent.parent / ".venv/bin/py-spy"
        )
        self.process = subprocess.Popen(
            [
                executable,
                "record",
                "--pid",
                str(pid),
                *(["--subprocesses"] if subprocesses else []),
                # Only the thread holding the GIL: where Python spends CPU, not where threads wait.
                "--gil",
                "--rate",
                str(rate),
                "--duration",
                str(max(1, int(seconds))),
                "--format",
                "raw",
                "--output",
                str(self.path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stacks(self) -> dict[str, int]:
        self.process.wait(timeout=120)
        counts: dict[str, int] = {}
        if not self.path.exists():
            return counts
        for line in self.path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if stack and count.isdigit():
                counts[stack] = counts.get(stack, 0) + int(count)
        return counts


def _frame_name(frame: str) -> str:
    """``send (channels_redis/core.py:123)`` -> ``channels_redis/core.py: send``."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in (
        "site-packages/",
        "python3.11/",
        f"{Path(__file__).resolve().parent.parent}/",
        "/work/main/",
    ):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{path}: {name}"


def _is_idle(stack: str) -> bool:
    leaf = stack.rsplit(";", 1)[-1]
    return any(word in leaf for word in ("select (", "poll (", "epoll", "_run_once", "wait (", "run_forever"))


def summary(stacks: dict[str, int], top: int = 15, prefixes=("chat/", "designiaBackend/")) -> dict:
    """Samples of the thread holding the GIL (a loop's poll is idle, not work)."""
    own: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    busy = 0
    for stack, count in stacks.items():
        if _is_idle(stack):
            continue
        frames = [frame for frame in stack.split(";") if not frame.startswith(("process ", "thread "))]
        if not frames:
            continue
        busy += count
        own[_frame_name(frames[-1])] += count
        for name in {_frame_name(frame) for frame in frames}:
            inclusive[name] += count
    ours = [(name, count) for name, count in inclusive.most_common() if name.startswith(tuple(prefixes))]
    return {
        "busy": busy,
        "own": own.most_common(top),
        "inclusive": inclusive.most_common(top),
        "ours": ours[:top],
    }


def markdown(result: dict) -> str:
    busy = result["busy"] or 1

    def table(title: str, rows: list) -> str:
        lines = [f"| {title} | share of busy samples |", "|---|---|"]
        lines += [f"| `{name}` | {count * 100 / busy:.1f} % |" for name, count in rows]
        return "\n".join(lines)

    return "\n\n".join(
        [
            table("function, own time", result["own"]),
            table("function, with callees", result["inclusive"]),
            table("our code, with callees", result["ours"]),
        ]
    )
