"""Catalogue benchmark (``make bench``): list and search mixes, product page, against the ceiling.

1. Seeds 10,000 demo products into a separate benchmark database (``BENCH_DATABASE_URL``,
   default ``mysql://root@127.0.0.1:3306/designia_bench``; seeding is idempotent), gives a fifth
   of them variants and writes the mixes' URL files (``bench/catalogue_mix.py``).
2. Starts gunicorn with the production settings (``infrastructure/gunicorn/gunicorn.conf.py``: sync
   workers) on a free loopback port, and in front of it the single-host recipe's nginx
   (``infrastructure/nginx/designia.conf``: buffering, upstream keep-alive), the way the README says
   production serves ``/api/``: ``DEBUG=False``, Redis cache, persistent DB connections.
3. Drives nginx with wrk at 32 concurrent connections, each endpoint for a fixed time after a warm-up,
   as configured and with the response cache off: ``/api/health/live/`` (the ceiling), the list mix
   and the search mix (browsing sessions of E22/E23 URLs, walked by a Lua script) and the product
   page (rotating over the catalogue). ``--direct`` adds gunicorn without nginx, ``--profile`` a
   py-spy profile of each mix, ``--ab`` replaces it all with the A/B of the product page's
   ``PreparedQuery`` and view-count buffer thread (``bench/ab_wsgi.py``).
4. Appends requests/s, p50/p99 and each round's ratio to that round's ceiling, with machine and
   date, to ``bench/RESULTS.md`` (``--no-write``: only print them).

Loopback only, bounded in time: about 10 minutes (3 rounds, 2 server configurations) plus seeding;
`--fresh` drops the benchmark database first (needed after migrations were regenerated).
"""

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

from bench.profile import Profile, markdown, summary  # noqa: E402
from bench.servers import free_port, server_log, wait_for_port  # noqa: E402
from tests.fixtures.nginx import NGINX, nginx_config  # noqa: E402

DETAIL_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/api/marketplace/products/demo-" .. (counter * 7919 % %(products)d) .. "/")
end
"""
# Walks a URL file (bench/catalogue_mix.py), each wrk thread from its own place in it.
MIX_SCRIPT = """
local paths = {}
for line in io.lines("%(file)s") do paths[#paths + 1] = line end
local threads = 0
setup = function(thread)
  thread:set("offset", %(start)d + threads * math.floor(#paths / 2))
  threads = threads + 1
end
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(offset + counter) % #paths + 1])
end
"""
CEILING = ("trivial JSON (ceiling)", "/api/health/live/", None)
PRODUCT_PAGE = (
    "product page, never cached (all 10,000 in turn)",
    "/api/marketplace/products/demo-1/",
    DETAIL_SCRIPT,
)
ENDPOINTS = [
    CEILING,
    ("list mix (E22 browsing sessions)", "/api/marketplace/products/", "list.txt"),
    ("search mix (E23 searches and their pages)", "/api/marketplace/products/search/", "search.txt"),
    PRODUCT_PAGE,
]
UNCACHED_ENDPOINTS = ENDPOINTS[:3]  # the product page is never cached
PROFILED = ("marketplace/", "designiaBackend/")
# A/B of the hand-built speed-ups on the product page (bench/ab_wsgi.py): label -> BENCH_AB value.
AB_VARIANTS = [
    ("as built (PreparedQuery, view checks sent by the buffer thread)", ""),
    ("plain ORM query instead of PreparedQuery", "plain-orm"),
    ("synchronous view check instead of the buffer thread", "sync-views"),
]


def ensure_database(url, fresh=False):
    parsed = urlparse(url)
    if parsed.scheme != "mysql":
        return
    import MySQLdb

    connection = MySQLdb.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 3306,
        user=parsed.username or "root",
        passwd=parsed.password or "",
    )
    name = parsed.path.lstrip("/")
    if not re.fullmatch(r"\w+", name):
        raise SystemExit(f"Refusing odd database name {name!r}")
    cursor = connection.cursor()
    if fresh:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4")
    connection.close()


def bench_env(database, redis, cache_prefix):
    """The environment of a benchmark's processes: its own database, Redis and cache keys."""
    return {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "CACHE_KEY_PREFIX": cache_prefix,
        "MEDIA_ROOT": str(Path(tempfile.gettempdir()) / "designia-bench-media"),
        "DB_CONN_MAX_AGE": "60",
    }


def production_env(env):
    """``env`` with the settings production runs with (the checks of ``DEBUG=False`` pass)."""
    return {
        **env,
        "DEBUG": "False",
        "SECRET_KEY": "bench-only-" + os.urandom(16).hex(),
        "PAYMENT_GATEWAY": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",  # plain HTTP on loopback, as behind the TLS-ending gateway
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }


def migrated(database, env, fresh):
    ensure_database(database, fresh=fresh)
    manage(env, "migrate", "--noinput", "-v", "0")


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def start_gunicorn(env, port, workers, app="designiaBackend.wsgi:application"):
    log = open(Path(tempfile.gettempdir()) / f"bench-gunicorn-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "infrastructure/gunicorn/gunicorn.conf.py"]
        + [app, "-w", str(workers), "--threads", "1"]
        + ["-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health/live/", timeout=1) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"gunicorn did not answer within 60 s; see {log.name}")


def start_nginx(api_port):
    """The recipe's nginx (as many worker processes as cores, as Debian's ``auto``) in front of
    gunicorn on ``api_port``; returns (process, port)."""
    if not Path(NGINX).exists():
        raise SystemExit("bench/run.py needs nginx (Debian/Ubuntu: apt-get install nginx-light).")
    directory = Path(tempfile.mkdtemp(prefix="designia-bench-nginx-"))
    port = free_port()
    config = nginx_config(directory, api_port=api_port, ws_port=free_port(), proxy_port=port, workers="auto")
    process = subprocess.Popen(
        [NGINX, "-p", str(directory), "-c", str(config)],
        stdout=server_log("nginx", port),
        stderr=subprocess.STDOUT,
    )
    wait_for_port(process, port, "nginx")
    return process, port


def parse_wrk(output):
    def latency_ms(label):
        match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {
        "rps": rps,
        "p50": latency_ms("50%"),
        "p99": latency_ms("99%"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def run_wrk(base, path, script, seconds, connections, products, mixes=None, start=0):
    """wrk on ``path``; ``script`` is Lua, or the name of a URL file in ``mixes`` to walk from ``start``."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if script and script.endswith(".txt"):
        script = MIX_SCRIPT.replace("%(file)s", str(Path(mixes) / script)).replace("%(start)d", str(start))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        if script:
            handle.write(script.replace("%(products)d", str(products)))
            command += ["-s", handle.name]
    result = subprocess.run(
        [*command, f"{base}{path}"], capture_output=True, text=True, check=True, timeout=seconds + 30
    )
    return parse_wrk(result.stdout)


def machine():
    cpu = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = names[0] if names else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}"


def table(title, rows):
    """Rows of (label, best round's result, each round's share of that round's ceiling)."""
    lines = [
        "",
        title,
        "",
        "| endpoint | req/s | p50 ms | p99 ms | share of ceiling (median of rounds) | each round | non-2xx |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, result, shares in rows:
        ordered = sorted(shares)
        lines.append(
            f"| {label} | {result['rps']:.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
            f"{ordered[len(ordered) // 2]:.0%} | {', '.join(f'{share:.0%}' for share in shares)} | "
            f"{result['non_2xx']} |"
        )
    return lines


def write_results(phases, args, database, notes=()):
    lines = [
        "",
        f"## Catalogue read endpoints ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: {machine()}. Server: nginx (infrastructure/nginx/designia.conf, worker_processes auto) "
        f"in front of gunicorn, {args.workers} sync workers, `DEBUG=False`, "
        f"Redis cache, `DB_CONN_MAX_AGE=60`, {database}; {args.products:,} products (a fifth with 2-4 "
        f"variants). Load: wrk, {args.connections} connections, {args.seconds} s per endpoint after a "
        f"{args.warmup} s warm-up, {args.rounds} rounds (req/s and latencies: the best round; share: each "
        "round's req/s over that round's ceiling, the machine is shared), on the same machine "
        "(loopback). The mixes walk URL files of browsing sessions (bench/catalogue_mix.py).",
        *notes,
    ]
    for title, rows in phases:
        lines += table(title, rows)
    path = ROOT / "bench" / "RESULTS.md"
    existing = path.read_text() if path.exists() else "# Benchmark results\n"
    if args.write:
        path.write_text(existing.rstrip("\n") + "\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    if shutil.which("wrk") is None:
        raise SystemExit("bench/run.py needs wrk (Debian/Ubuntu: apt-get install wrk).")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--rounds", type=int, default=3, help="each endpoint's best round is reported")
    parser.add_argument("--paths", type=int, default=4000, help="requests in each mix's URL file")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database first")
    parser.add_argument("--direct", action="store_true", help="also measure gunicorn without nginx")
    parser.add_argument("--ab", action="store_true", help="only the A/B of the product page's speed-ups")
    parser.add_argument("--only", help="only the endpoints whose label contains this text (and the ceiling)")
    parser.add_argument("--profile", action="store_true", help="py-spy the workers during each measurement")
    parser.add_argument("--no-write", dest="write", action="store_false", help="do not append to RESULTS.md")
    args = parser.parse_args()

    database = os.environ.get("BENCH_DATABASE_URL", "mysql://root@127.0.0.1:3306/designia_bench")
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    env = bench_env(database, redis, "bench")
    migrated(database, env, args.fresh)
    manage(env, "seed_demo", "--products", str(args.products))
    args.mixes = tempfile.mkdtemp(prefix="designia-bench-mix-")
    mix = [PYTHON, "-m", "bench.catalogue_mix", args.mixes, str(0 if args.ab else args.paths)]
    subprocess.run(mix, cwd=ROOT, env=env, check=True)  # variants seeded; the URL files written

    server_env = production_env(env)
    if args.ab:
        write_results(ab_phases(server_env, args), args, urlparse(database).scheme, notes=AB_NOTE)
        return
    chosen = [e for e in ENDPOINTS if e is CEILING or not args.only or args.only in e[0]]
    phases = [
        (
            "Through nginx, as configured (public lists and search cached 60 s, invalidated by every "
            "catalogue write): what production serves:",
            measure(server_env, chosen, args),
        ),
    ]
    if args.direct:
        phases.append(
            (
                "Straight to gunicorn (no proxy), as configured: for comparison with the row above:",
                measure(server_env, chosen, args, proxy=False),
            )
        )
    uncached = [e for e in chosen if e in UNCACHED_ENDPOINTS]
    if len(uncached) > 1:
        phases.append(
            (
                "Through nginx, response cache off (`CATALOG_RESPONSE_CACHE_SECONDS=0`): every list request "
                "reaches the database:",
                measure({**server_env, "CATALOG_RESPONSE_CACHE_SECONDS": "0"}, uncached, args),
            )
        )
    write_results(phases, args, urlparse(database).scheme)


AB_NOTE = (
    "",
    "A/B: the variants' servers run side by side (bench/ab_wsgi.py), idle but for the one driven; each "
    "round drives every variant in turn (ceiling, then product page), so slow spells of the shared "
    "machine hit all of them.",
)


def ab_phases(server_env, args):
    """The product page under each of ``AB_VARIANTS``, interleaved round by round."""
    processes, bases = [], []
    try:
        for _, value in AB_VARIANTS:
            port = free_port()
            variant_env = {**server_env, "BENCH_AB": value}
            processes.append(start_gunicorn(variant_env, port, args.workers, app="bench.ab_wsgi:application"))
            nginx, proxy_port = start_nginx(port)
            processes.append(nginx)
            bases.append(f"http://127.0.0.1:{proxy_port}")
        page = (PRODUCT_PAGE[1], PRODUCT_PAGE[2], args.seconds, args.connections, args.products)
        for base in bases:
            run_wrk(base, PRODUCT_PAGE[1], PRODUCT_PAGE[2], args.warmup, args.connections, args.products)
        results = {label: [] for label, _ in AB_VARIANTS}
        for round_number in range(1, args.rounds + 1):
            for (label, _), base in zip(AB_VARIANTS, bases, strict=True):
                pair = (run_wrk(base, CEILING[1], None, *page[2:]), run_wrk(base, *page))
                print(f"round {round_number}, {label}: ceiling {pair[0]}, page {pair[1]}", flush=True)
                results[label].append(pair)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
    phases = []
    for label, rounds in results.items():
        shares = [page["rps"] / ceiling["rps"] for ceiling, page in rounds]
        ceiling, page = max(rounds, key=lambda pair: pair[1]["rps"])
        best_ceiling = max((pair[0] for pair in rounds), key=lambda result: result["rps"])
        rows = [(CEILING[0], best_ceiling, [1.0] * len(rounds)), (PRODUCT_PAGE[0], page, shares)]
        phases.append((f"A/B on the product page: {label}:", rows))
    return phases


def measure(server_env, endpoints, args, proxy=True, app="designiaBackend.wsgi:application"):
    """Each endpoint's best round, and each round's share of that round's ceiling."""
    port = free_port()
    server = start_gunicorn(server_env, port, args.workers, app=app)
    nginx, proxy_port = start_nginx(port) if proxy else (None, port)
    base = f"http://127.0.0.1:{proxy_port}"
    best, shares = {}, {label: [] for label, _, _ in endpoints}
    try:
        for round_number in range(1, args.rounds + 1):
            ceiling = None
            for label, path, script in endpoints:
                start = (round_number - 1) * 997
                wrk = (base, path, script, args.warmup, args.connections, args.products, args.mixes)
                run_wrk(*wrk, start=start + args.paths // 4)
                profile = Profile(server.pid, args.seconds) if args.profile and script else None
                result = run_wrk(*wrk[:3], args.seconds, *wrk[4:], start=start)
                print(f"round {round_number}, {label}: {result}", flush=True)
                if profile is not None:
                    print(
                        f"profile of {label}:\n{markdown(summary(profile.stacks(), prefixes=PROFILED))}",
                        flush=True,
                    )
                ceiling = ceiling or result["rps"]  # the first endpoint is the ceiling
                shares[label].append(result["rps"] / ceiling)
                if label not in best or result["rps"] > best[label]["rps"]:
                    best[label] = result
    finally:
        for process in (nginx, server):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
    return [(label, best[label], shares[label]) for label, _, _ in endpoints]


if __name__ == "__main__":
    main()
