"""Payment-timeout sweep benchmark (``make bench``): bulk side effects, measured.

1. A fresh database of its own (``BENCH_SWEEP_DATABASE_URL``, dropped and migrated each run) is
   seeded set-wise (``bulk_create``): ``--orders`` (100,000) orders unpaid for 4 days, one item and
   one shipment each, their units held out of 1,000 products' stock, each with a Stripe checkout
   session (a ``Payment`` row).
2. API latency without the sweep: a client process sends sequential requests from 2 threads to
   the product list (response cache off, so each request reads the products table the sweep
   updates) on gunicorn as in production (``infrastructure/gunicorn/gunicorn.conf.py``); the same
   client then runs throughout step 3, its requests sorted by start time into those made while a
   part of the sweep ran and those made in the gaps around the parts (the machine is shared: the
   two are interleaved so that its other load weighs on both alike).
3. The sweep as beat runs it (``payment_timeouts_check``, ``--batch-size``, ``--duty-cycle`` or
   ``PAYMENT_TIMEOUT_SWEEP_DUTY_CYCLE``), in ``--slices`` (4) parts by creation time with
   ``--gap`` (10) seconds without it before, between and after them, with py-spy on this
   process and the same client running meanwhile. Checked: every order cancelled, stock equal to
   what it was plus the released units, product by product; outbox messages relayed to Redis.
4. E-mails: a real Celery worker on ``email_tasks`` (SMTP backend) drains the sweep's batched
   cancellation e-mails (relayed by the outbox, rate-limited as configured) into a local SMTP sink;
   measured until ``--emails`` (10,000) reached it, with the SMTP connections they used.
5. Appends the figures and the profile to ``bench/RESULTS.md``.

About 3-4 minutes on 2 cores. Needs MariaDB, Redis (``BENCH_REDIS_URL``: its queues are purged) and
py-spy.
"""

import argparse
import logging
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.profile import Profile, markdown, summary  # noqa: E402
from bench.run import bench_env, machine, migrated, production_env, start_gunicorn  # noqa: E402
from bench.servers import free_port  # noqa: E402
from tests.fixtures.smtp import SmtpSink  # noqa: E402

LIST_PATH = "/api/marketplace/products/?page=1&page_size=24"
PRODUCTS = 1_000
BUYERS = 2_000
SLUG_PREFIX = "sweep-oak-chair-"
BUYER_PREFIX = "sweep-buyer-"
UNUSABLE = "!"  # an unusable password hash: the buyers never log in


# --- the concurrent API client (a process of its own: the sweep's GIL is not its latency) --------


def _client(url, stop, results, threads=2, limit=None):
    latencies, lock = [], threading.Lock()  # (wall-clock start, ms): sorted into windows afterwards

    def loop():
        while not stop.is_set() and (limit is None or len(latencies) < limit):
            began, start = time.time(), time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
                    response.read()
                    ok = response.status == 200
            except OSError:
                ok = False
            with lock:
                latencies.append((began, (time.perf_counter() - start) * 1000 if ok else float("inf")))

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(latencies)


def latency(latencies):
    ordered = sorted(value[1] if isinstance(value, tuple) else value for value in latencies)
    return {
        "requests": len(ordered),
        "p50": statistics.median(ordered),
        "p99": ordered[max(0, int(len(ordered) * 0.99) - 1)],
        "failed": sum(1 for value in ordered if value == float("inf")),
    }


def start_client(url, limit=None):
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    # A daemon: a run that fails half-way does not wait for it forever.
    process = context.Process(target=_client, args=(url, stop, results), kwargs={"limit": limit}, daemon=True)
    process.start()
    return process, stop, results


# --- seeding ----------------------------------------------------------------------------------------


def seed(orders_count):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from marketplace.catalog.models import Product
    from marketplace.ordering.models import Order, OrderItem, Shipment
    from payment_system.payments.models import Payment

    User = get_user_model()
    seller = User.objects.create_user(username="sweep-seller", email="seller@bench.example", password=None)
    buyers = User.objects.bulk_create(
        [
            User(username=f"{BUYER_PREFIX}{n}", email=f"buyer-{n}@bench.example", password=UNUSABLE)
            for n in range(BUYERS)
        ],
        batch_size=2000,
    )
    products = Product.objects.bulk_create(
        [
            Product(
                seller=seller,
                name=f"Oak chair {n}",
                slug=f"{SLUG_PREFIX}{n}",
                price=Decimal("120.00"),
                stock_quantity=1000,
                description="A chair.",
            )
            for n in range(PRODUCTS)
        ],
        batch_size=1000,
    )
    chunk = 10_000
    for start in range(0, orders_count, chunk):
        with transaction.atomic():
            size = min(chunk, orders_count - start)
            orders = Order.objects.bulk_create(
                [
                    Order(
                        buyer=buyers[(start + n) % BUYERS],
                        subtotal=Decimal("120.00"),
                        total_amount=Decimal("120.00"),
                        shipping_country="FR",
                    )
                    for n in range(size)
                ],
                batch_size=2000,
            )
            shipments = Shipment.objects.bulk_create(
                [Shipment(order=order, seller=seller, subtotal=Decimal("120.00")) for order in orders],
                batch_size=2000,
            )
            OrderItem.objects.bulk_create(
                [
                    OrderItem(
                        order=order,
                        shipment=shipment,
                        product=products[(start + n) % PRODUCTS],
                        seller=seller,
                        product_name="Oak chair",
                        unit_price=Decimal("120.00"),
                        quantity=1,
                        total_price=Decimal("120.00"),
                    )
                    for n, (order, shipment) in enumerate(zip(orders, shipments, strict=True))
                ],
                batch_size=2000,
            )
            Payment.objects.bulk_create(
                [
                    Payment(
                        order=order,
                        provider="stripe",
                        amount=Decimal("120.00"),
                        currency="USD",
                        checkout_session_id=f"cs_test_{order.pk.hex}",
                    )
                    for order in orders
                ],
                batch_size=2000,
            )
    return stale(orders_count)


def stale(orders_count):
    """Every order unpaid, created 4 days ago, its reservation long over, its units out of stock
    (also puts a database swept by an earlier run back, ``--reuse``). Returns the units held per
    product."""
    from django.db import connection
    from django.utils import timezone

    from designiaBackend.outbox.models import OutboxMessage
    from marketplace.catalog.models import Product
    from marketplace.ordering.models import Order, Shipment

    Order.objects.filter(buyer__username__startswith=BUYER_PREFIX).update(
        status=Order.Status.PENDING_PAYMENT,
        cancelled_at=None,
        cancellation_reason="",
        stock_released=False,
        reserved_until=None,
    )
    # Created over the hours before 4 days ago, 0.1 s apart, as real orders are (the
    # sweep pages by creation time; a single shared timestamp would make each page rescan the rest).
    oldest = timezone.now() - timedelta(days=4)
    with connection.cursor() as cursor:
        cursor.execute("SET @n := 0")
        cursor.execute(
            "UPDATE marketplace_order SET created_at = %s - INTERVAL ((@n := @n + 1) * 100000) MICROSECOND "
            "WHERE buyer_id IN (SELECT id FROM authentication_user WHERE username LIKE %s)",
            [oldest, f"{BUYER_PREFIX}%"],
        )
    Shipment.objects.filter(order__buyer__username__startswith=BUYER_PREFIX).update(
        status=Shipment.Status.PENDING, cancelled_at=None, cancellation_reason="", stock_released=False
    )
    OutboxMessage.objects.all().delete()
    held = orders_count // PRODUCTS
    mine = Product.objects.filter(slug__startswith=SLUG_PREFIX)  # not other benchmarks' products
    mine.update(stock_quantity=1000 - held)
    pks = list(mine.order_by("pk").values_list("pk", flat=True))
    return {pk: held + (1 if index < orders_count % PRODUCTS else 0) for index, pk in enumerate(pks)}


# --- phases ---------------------------------------------------------------------------------------


def mariadb_cpu_seconds() -> float:
    """CPU seconds MariaDB used so far (all its threads; other work on the machine counts too)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            if "mariadbd" in fields[0] or "mysqld" in fields[0]:
                values = fields[1].split()
                total += (int(values[11]) + int(values[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return total


def slice_times(slices):
    """``now`` values that make ``payment_timeouts_check`` take the seeded orders in ``slices``
    parts, oldest first (it cancels what was created before ``now - PAYMENT_TIMEOUT_DAYS``)."""
    from django.conf import settings
    from django.db.models import Max, Min

    from marketplace.ordering.models import Order

    span = Order.objects.filter(buyer__username__startswith=BUYER_PREFIX).aggregate(
        Min("created_at"), Max("created_at")
    )
    oldest, newest = span["created_at__min"], span["created_at__max"] + timedelta(seconds=1)
    grace = timedelta(days=settings.PAYMENT_TIMEOUT_DAYS)
    return [oldest + (newest - oldest) * (k + 1) / slices + grace for k in range(slices)]


def sweep(batch_size, duty_cycle, slices, gap):
    """The sweep in ``slices`` parts with ``gap`` seconds of nothing before, between and after
    them: the API client runs throughout, so its requests without and with the sweep are
    interleaved in time (the machine's other load drifts alike for both). Returns the parts'
    wall-clock intervals with the figures."""
    from payment_system.checkout.timeouts import payment_timeouts_check

    nows = slice_times(slices)
    parts: list = []  # the sweep's own account of each part: (working, paused) seconds

    class Parts(logging.Handler):
        def emit(self, record):
            if hasattr(record, "busy_seconds"):
                parts.append((record.busy_seconds, record.paused_seconds))

    handler = Parts(logging.INFO)
    logging.getLogger("payment_system.checkout.timeouts").addHandler(handler)
    profile = Profile(os.getpid(), seconds=900, subprocesses=False)  # not the gunicorn children
    time.sleep(1)  # py-spy attaches
    cancelled, elapsed, cpu, database_cpu, windows = 0, 0.0, 0.0, 0.0, []
    for now in nows:
        time.sleep(gap)
        began, start, cpu0, db0 = time.time(), time.perf_counter(), time.process_time(), mariadb_cpu_seconds()
        cancelled += payment_timeouts_check(now=now, batch_size=batch_size, duty_cycle=duty_cycle)
        elapsed += time.perf_counter() - start
        cpu += time.process_time() - cpu0
        database_cpu += mariadb_cpu_seconds() - db0
        windows.append((began, time.time()))
    time.sleep(gap)
    logging.getLogger("payment_system.checkout.timeouts").removeHandler(handler)
    profile.process.send_signal(signal.SIGINT)
    stacks = profile.stacks()
    return (
        cancelled,
        elapsed,
        (cpu, database_cpu, sum(part[0] for part in parts), sum(part[1] for part in parts)),
        summary(stacks, prefixes=("marketplace/", "payment_system/", "designiaBackend/")),
        windows,
    )


def split_by_windows(samples, windows):
    """(latencies while a part of the sweep ran, latencies in the gaps), by each request's start."""
    during, without = [], []
    for began, value in samples:
        (during if any(start <= began < end for start, end in windows) else without).append(value)
    return during, without


def check(stock_before, held):
    from django.db.models import Count

    from marketplace.catalog.models import Product
    from marketplace.ordering.models import Order, Shipment

    ours = Order.objects.filter(buyer__username__startswith=BUYER_PREFIX)
    statuses = dict(ours.order_by().values_list("status").annotate(n=Count("pk")))
    stock = dict(Product.objects.values_list("pk", "stock_quantity"))
    wrong = [pk for pk, units in held.items() if stock[pk] != stock_before[pk] + units]
    shipments_open = Shipment.objects.filter(order__in=ours).exclude(status="cancelled").count()
    return {"statuses": statuses, "stock_wrong": len(wrong), "shipments_not_cancelled": shipments_open}


def drain_emails(env, target, sink):
    """A real worker on email_tasks sends the relayed cancellation e-mails to the sink."""
    worker_env = {
        **production_env(env),  # DEBUG=False: cached templates, no query log, as a production worker
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "False",
    }
    log_path = Path(tempfile.gettempdir()) / f"designia-bench-sweep-worker-{os.getpid()}.log"
    log = open(log_path, "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "designiaBackend", "worker", "-Q", "email_tasks"]
        + ["--concurrency=2", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT,
        env=worker_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline, first = time.monotonic() + 300, None
        while time.monotonic() < deadline and len(sink.recipients) < target:
            if worker.poll() is not None:
                raise SystemExit(f"the worker exited; see {log.name}")
            if first is None and sink.recipients:
                first = time.perf_counter()
            time.sleep(0.05)
        elapsed = time.perf_counter() - (first or time.perf_counter())
        sent, connections = len(sink.recipients), sink.connections
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return {"sent": sent, "seconds": elapsed, "connections": connections, "log": log.name}


def purge_queues(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    for name in ("email_tasks", "payment_tasks", "marketplace_tasks", "unacked", "unacked_index"):
        client.delete(name)
    # What the e-mail batches remember having sent (a --reuse run cancels the same orders again).
    for key in client.scan_iter(match="*order-email-sent:*", count=10_000):
        client.delete(key)


def write_results(args, figures):
    before, during, between, swept, stock, emails, profile = (
        figures["before"],
        figures["during"],
        figures["between"],
        figures["sweep"],
        figures["check"],
        figures["emails"],
        figures["profile"],
    )
    rate = emails["sent"] / emails["seconds"] if emails["seconds"] else 0.0
    lines = [
        "",
        f"## Payment-timeout sweep and its e-mails ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: {machine()}. `bench/sweep.py`: {args.orders:,} orders unpaid for 4 days (one item, one "
        f"shipment, one Stripe session each) over {PRODUCTS:,} products, "
        + (
            f"seeded by an earlier run and put back set-wise (`--reuse`) in {figures['seed_seconds']:.0f} s"
            if figures["reused"]
            else f"seeded with bulk_create in {figures['seed_seconds']:.0f} s"
        )
        + "; MariaDB and Redis on the same machine, which is shared with "
        "other work (figures are noisy, one run).",
        "",
        "| measure | figure |",
        "|---|---|",
        f"| sweep (`payment_timeouts_check`, batch {args.batch_size}, duty cycle {swept['duty_cycle']:.2f}, "
        f"in {args.slices} parts: the time is theirs added up) | "
        f"{swept['cancelled']:,} orders cancelled "
        f"in {swept['seconds']:.1f} s ({swept['cancelled'] / swept['seconds']:.0f} orders/s): {swept['working']:.1f} s "
        f"working, {swept['paused']:.1f} s paused between batches; CPU used: "
        f"{swept['cpu']:.1f} s by the sweeping process, {swept['database_cpu']:.1f} s by MariaDB (with "
        "whatever else it served meanwhile) |",
        f"| after the sweep | statuses {stock['statuses']}; products whose stock is not before + released: "
        f"{stock['stock_wrong']}; shipments not cancelled: {stock['shipments_not_cancelled']} |",
        f"| outbox messages recorded by the sweep (session closes + e-mail batches) | {figures['outbox']:,} |",
        f"| API p50 / p99 without the sweep (product list, cache off, 2 sequential clients) | "
        f"{before['p50']:.1f} / {before['p99']:.1f} ms ({before['requests']} requests, {before['failed']} failed) |",
        f"| API p50 / p99 during the sweep's parts | {during['p50']:.1f} / {during['p99']:.1f} ms "
        f"({during['requests']} requests, {during['failed']} failed) |",
        f"| API p50 / p99 in the {args.gap:.0f} s gaps before, between and after the sweep's {args.slices} parts "
        f"(interleaved with the next row) | {between['p50']:.1f} / {between['p99']:.1f} ms "
        f"({between['requests']} requests, {between['failed']} failed) |",
        f"| cancellation e-mails, a real worker (2 processes, `email_tasks`, rate limits as configured) "
        f"to a local SMTP sink | {emails['sent']:,} in {emails['seconds']:.1f} s = **{rate:.0f}/s** over "
        f"{emails['connections']} SMTP connections |",
        "",
        "Profile of the sweep (py-spy on the sweeping process, GIL-holding samples):",
        "",
        markdown(profile),
    ]
    path = ROOT / "bench" / "RESULTS.md"
    existing = path.read_text() if path.exists() else "# Benchmark results\n"
    path.write_text(existing.rstrip("\n") + "\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--duty-cycle",
        type=float,
        default=None,
        help="the sweep's share of working time (default: the setting)",
    )
    parser.add_argument("--requests", type=int, default=300, help="requests of the first latency baseline")
    parser.add_argument(
        "--slices", type=int, default=4, help="parts the sweep is run in (oldest orders first)"
    )
    parser.add_argument("--gap", type=float, default=10.0, help="seconds without the sweep around each part")
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database a run seeded with as many orders; reset it set-wise",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a killed run stops its servers too

    database = os.environ.get("BENCH_SWEEP_DATABASE_URL", "mysql://root@127.0.0.1:3306/designia_bench_sweep")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    env = {**bench_env(database, redis_url, "bench-sweep"), "PAYMENT_TIMEOUT_DAYS": "3"}
    migrated(database, env, fresh=not args.reuse)
    os.environ.update(production_env(env))  # the sweep runs as on a production worker (DEBUG=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designiaBackend.settings")
    import django

    django.setup()
    from django.db import connection

    from designiaBackend.outbox.models import OutboxMessage
    from marketplace.catalog.models import Product

    purge_queues(redis_url)
    started = time.perf_counter()
    from marketplace.ordering.models import Order

    seeded = Order.objects.filter(buyer__username__startswith=BUYER_PREFIX).count()
    reused = args.reuse and seeded == args.orders
    held = stale(args.orders) if reused else seed(args.orders)
    figures = {"seed_seconds": time.perf_counter() - started, "reused": reused}
    stock_before = dict(Product.objects.values_list("pk", "stock_quantity"))
    connection.close()

    server_env = {**production_env(env), "CATALOG_RESPONSE_CACHE_SECONDS": "0"}
    port = free_port()
    server = start_gunicorn(server_env, port, workers=2)
    url = f"http://127.0.0.1:{port}{LIST_PATH}"
    try:
        process, stop, results = start_client(url, limit=args.requests)
        figures["before"] = latency(results.get(timeout=300))
        process.join()

        process, stop, results = start_client(url)
        cancelled, seconds, cpu, profile, windows = sweep(
            args.batch_size, args.duty_cycle, args.slices, args.gap
        )
        stop.set()
        during, between = split_by_windows(results.get(timeout=60), windows)
        figures["during"], figures["between"] = latency(during), latency(between)
        process.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    from django.conf import settings

    duty_cycle = settings.PAYMENT_TIMEOUT_SWEEP_DUTY_CYCLE if args.duty_cycle is None else args.duty_cycle
    figures["sweep"] = {
        "cancelled": cancelled,
        "seconds": seconds,
        "cpu": cpu[0],
        "database_cpu": cpu[1],
        "working": cpu[2],
        "paused": cpu[3],
        "duty_cycle": duty_cycle,
    }
    figures["profile"] = profile
    figures["check"] = check(stock_before, held)
    figures["outbox"] = OutboxMessage.objects.count()

    sink = SmtpSink()
    sink.serve_normally()
    try:
        figures["emails"] = drain_emails(env, args.emails, sink)
    finally:
        sink.close()
        purge_queues(redis_url)
    write_results(args, figures)


if __name__ == "__main__":
    main()
