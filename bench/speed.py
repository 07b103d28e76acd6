"""Benchmark: issue #13's goals in one command, into ``bench/results.json``, a section of
``bench/RESULTS.md`` and a chart (``bench/speed.png``) that the README shows.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/speed.py --profile medium
    .venv/bin/python bench/speed.py --profile small --skip alone,workers   # a quick check

Every step runs a private stack (own ports and state), one after another; nothing else
should run on the machine meanwhile.

1. **core**, one stack: connector registration → every feed synced and ``verify`` clean
   (P1; the worker's peak RSS, P4; items acknowledged per second, the chart). Then, on the
   same stack, a bare aiokafka consumer reads and decodes every source topic (the
   ceiling), and a second app id replays the same topics through the whole pipeline to the
   receiver with the first worker stopped (P3: source records ÷ worker ready → last item
   acknowledged). Then the worker is SIGKILLed, a product renamed, the worker started
   again: start → rename delivered (resume). Last, a mixed stream of row changes (product
   names, prices, stock quantities, order notes, in turn) at 10 changes/s for 30 s and
   1,000/s for 120 s, each change's commit → the receiver storing an item that carries it
   (P2; last because a stream the pipeline cannot keep up with leaves a backlog).
2. **alone**: ``all_feeds.py --feeds products --alone``, then ``--feeds orders``.
3. **workers**: ``all_feeds.py --workers 2``: speedup against step 1's time.

Steps 2 and 3 write their own keys; a step skipped leaves the keys it would write as they
were (each key says when and on which commit it was measured).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from all_feeds import cpu_seconds, report, sync  # bench/ is on sys.path when run
from full_sync import peak_rss_mb
from kafka import KafkaAdminClient
from matplotlib.figure import Figure
from private_stack import use_private_stack
from restart import a_product, kill_worker, rename
from results import RESULTS, load_results, update_results

from connectors.database import connect
from feeds.registry import FEEDS
from feedsync.settings import Settings
from feedsync.stack.orchestrate import Stack, clean
from feedsync.stack.pipeline import FEEDSYNC, WORKER_READY
from feedsync.verify.projections import FEEDS as PROJECTIONS

BENCH = Path(__file__).parent
CHART = BENCH / "speed.png"
REPORT = BENCH / "RESULTS.md"
BEGIN, END = "<!-- speed:begin -->", "<!-- speed:end -->"
QUIET_S = 15.0
KINDS = ("name", "price", "stock", "note")
# The item field that carries each kind of change, by feed.
CARRIER = {
    "products": "name",
    "prices": "regular",
    "inventoryStockStatus": "qty",
    "orders": "customerNote",
}
KIND_OF_FEED = {
    "products": "name",
    "prices": "price",
    "inventoryStockStatus": "stock",
    "orders": "note",
}


# ---- the mixed stream of changes (P2) ----------------------------------------------------


@dataclass
class Marks:
    """Each change's mark (the value it writes) → its commit time, and → its latency once
    the receiver stores an item that carries it."""

    committed: dict[tuple[str, str], float] = field(default_factory=dict)
    latency: dict[tuple[str, str], float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def targets(settings: Settings) -> dict[str, list[int]]:
    """The rows each kind of change updates: products whose name no store view overrides,
    default-scope prices, source items of single-source SKUs, orders."""
    queries = {
        "name": (
            "SELECT v.value_id FROM catalog_product_entity_varchar v JOIN eav_attribute a "
            "ON a.attribute_id = v.attribute_id AND a.entity_type_id = 4 AND a.attribute_code"
            " = 'name' WHERE v.store_id = 0 AND NOT EXISTS (SELECT 1 FROM "
            "catalog_product_entity_varchar o WHERE o.entity_id = v.entity_id AND "
            "o.attribute_id = v.attribute_id AND o.store_id > 0) AND EXISTS (SELECT 1 FROM "
            "catalog_product_website w WHERE w.product_id = v.entity_id)"
        ),
        "price": (
            "SELECT d.value_id FROM catalog_product_entity_decimal d JOIN eav_attribute a "
            "ON a.attribute_id = d.attribute_id AND a.entity_type_id = 4 AND a.attribute_code"
            " = 'price' WHERE d.store_id = 0 AND EXISTS (SELECT 1 FROM "
            "catalog_product_website w WHERE w.product_id = d.entity_id)"
        ),
        "stock": (
            "SELECT MIN(source_item_id) FROM inventory_source_item WHERE status = 1 "
            "GROUP BY sku HAVING COUNT(*) = 1"
        ),
        "note": "SELECT entity_id FROM sales_order",
    }
    with connect(settings) as connection, connection.cursor() as cursor:
        found = {}
        for kind, query in queries.items():
            cursor.execute(query + " ORDER BY 1")
            found[kind] = [int(row[0]) for row in cursor.fetchall()]
    return found


UPDATES = {
    "name": "UPDATE catalog_product_entity_varchar SET value = %s WHERE value_id = %s",
    "price": "UPDATE catalog_product_entity_decimal SET value = %s WHERE value_id = %s",
    "stock": "UPDATE inventory_source_item SET quantity = %s WHERE source_item_id = %s",
    "note": "UPDATE sales_order SET customer_note = %s WHERE entity_id = %s",
}


def mark_of(kind: str, run: str, n: int) -> str:
    """A value no other change writes, as the receiver's item shows it (normalised)."""
    if kind in ("name", "note"):
        return f"bench-{run}-{n}"
    if kind == "price":
        return str(Decimal(100_000 + n) / 100)  # unique to the cent
    return str(Decimal(100_000 + n))


def normalised(kind: str, value: Any) -> str | None:
    if value is None:
        return None
    if kind in ("price", "stock"):
        try:
            return str(Decimal(str(value)).normalize())
        except ArithmeticError:
            return None
    return str(value)


def generate(
    settings: Settings, rows: dict[str, list[int]], marks: Marks, *, rate: float, seconds: float
) -> tuple[int, float]:
    """Commit ``rate`` changes a second for ``seconds``, the kinds in turn, each row of a
    kind changed again only after every other row of it; a transaction every 20 ms at
    most. Returns how many were committed, and in how many seconds."""
    run = uuid.uuid4().hex[:6]
    total = int(rate * seconds)
    per_commit = max(1, int(rate / 50))
    began = time.monotonic()
    with connect(settings) as connection, connection.cursor() as cursor:
        n = 0
        while n < total:
            due = began + n / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)  # pacing the load generator, not synchronisation
            written = []
            for _ in range(min(per_commit, total - n)):
                kind = KINDS[n % len(KINDS)]
                row = rows[kind][(n // len(KINDS)) % len(rows[kind])]
                value = mark_of(kind, run, n)
                cursor.execute(UPDATES[kind], (value, row))
                written.append((kind, normalised(kind, value) or value))
                n += 1
            connection.commit()
            now = time.time()
            with marks.lock:
                for key in written:
                    marks.committed[key] = now
    return total, time.monotonic() - began


def collect(db_path: Path, marks: Marks, stop: threading.Event) -> None:
    """Read each item version the receiver stores and note the marks it carries."""
    with sqlite3.connect(db_path) as db:
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM item_versions").fetchone()[0]
        while not stop.is_set():
            rows = db.execute(
                "SELECT DISTINCT v.feed, v.item_id FROM item_versions v WHERE v.seq > ? "
                "AND v.feed IN ('products', 'prices', 'inventoryStockStatus', 'orders')",
                (seq,),
            ).fetchall()
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM item_versions").fetchone()[0]
            for feed, item_id in rows:
                found = db.execute(
                    "SELECT payload, received_at FROM items WHERE feed = ? AND item_id = ?",
                    (feed, item_id),
                ).fetchone()
                if found is None:
                    continue
                kind = KIND_OF_FEED[feed]
                value = normalised(kind, orjson.loads(found[0]).get(CARRIER[feed]))
                key = (kind, value or "")
                with marks.lock:
                    committed = marks.committed.get(key)
                    if committed is not None and key not in marks.latency:
                        marks.latency[key] = max(0.0, found[1] - committed)
            stop.wait(0.2)  # sampling


def steady(
    settings: Settings, db_path: Path, rows: dict[str, list[int]], *, rate: float, seconds: float
) -> dict[str, float]:
    """p50/p99 (ms) of commit → receiver at ``rate`` changes/s, and how many arrived."""
    marks = Marks()
    stop = threading.Event()
    collector = threading.Thread(target=collect, args=(db_path, marks, stop), daemon=True)
    collector.start()
    made, took = generate(settings, rows, marks, rate=rate, seconds=seconds)
    deadline = time.monotonic() + max(300.0, seconds * 3)
    last_count, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        with marks.lock:
            count = len(marks.latency)
        if count >= made:
            break
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > 60:
            break  # nothing new for a minute: the rest were overwritten or lost
        time.sleep(0.5)  # sampling
    stop.set()
    collector.join()
    seen = sorted(marks.latency.values())
    if not seen:
        raise SystemExit(f"no change at {rate}/s reached the receiver")
    # Every change made counts: one never seen (still on its way when the wait ended, or
    # superseded at the receiver before it was read) is slower than any seen.
    values = seen + [float("inf")] * (made - len(seen))

    def at(share: float) -> float:
        value = values[min(len(values) - 1, int(share * len(values)))]
        return round(1000 * value) if value != float("inf") else float("inf")

    return {
        "rate": rate,
        "made": made,
        "committed_per_s": round(made / took),
        "seen": len(seen),
        "p50_ms": at(0.50),
        "p90_ms": at(0.90),
        "p99_ms": at(0.99),
        "max_seen_ms": round(1000 * seen[-1]),
    }


# ---- the ceiling and the replay (P3) -----------------------------------------------------


def source_topics(settings: Settings) -> list[str]:
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        prefix = f"{settings.connect.topic_prefix}.{settings.database.name}."
        return sorted(t for t in admin.list_topics() if t.startswith(prefix))
    finally:
        admin.close()


Handle = Callable[[list[Any]], Awaitable[int]]  # a fetch's records -> outputs sent


async def read_all(
    settings: Settings, handle: Handle, *, fetch_bytes: int = 1024 * 1024
) -> tuple[int, int, float]:
    """Every source record from the start, a fetch of up to 10,000 at a time through
    ``handle``: records, outputs, seconds (``bench/route_ceiling.py`` routes them)."""
    topics = source_topics(settings)
    consumer = AIOKafkaConsumer(
        *topics,  # subscribed only for their metadata, then assigned
        bootstrap_servers=settings.kafka.bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        group_id=None,
        max_partition_fetch_bytes=fetch_bytes,
    )
    await consumer.start()
    try:
        consumer.unsubscribe()
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if end[tp] > 0}
        records = outputs = 0
        began = time.perf_counter()
        while remaining:
            fetched = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            batch = [record for records_of in fetched.values() for record in records_of]
            outputs += await handle(batch)
            records += len(batch)
            for tp, records_of in fetched.items():
                if records_of and records_of[-1].offset + 1 >= end[tp]:
                    remaining.discard(tp)
        return records, outputs, time.perf_counter() - began
    finally:
        await consumer.stop()


async def bare(records: list[Any]) -> int:
    """The ceiling's work: decode every value, send nothing."""
    for record in records:
        if record.value is not None:
            orjson.loads(record.value)
    return 0


def bare_consumer(settings: Settings) -> dict[str, float]:
    """A bare aiokafka consumer reading and decoding (orjson) every source topic."""
    records, _outputs, seconds = asyncio.run(read_all(settings, bare))
    return {"records": records, "seconds": round(seconds, 1), "per_s": round(records / seconds)}


def item_versions(db_path: Path) -> tuple[int, float]:
    with sqlite3.connect(db_path) as db:
        seq, last = db.execute(
            "SELECT COALESCE(MAX(seq), 0), MAX(received_at) FROM item_versions"
        ).fetchone()
    return int(seq), float(last or 0.0)


def replay(
    settings: Settings, stack: Stack, db_path: Path, *, items: int, records: int, log_dir: Path
) -> dict[str, float]:
    """A second app id replays the source topics through the whole pipeline, with the
    stack's worker stopped: source records ÷ (ready → the last item acknowledged)."""
    stack.worker.stop()
    start_seq, _ = item_versions(db_path)
    log_path = log_dir / "replay-worker.log"
    env = {
        **os.environ,
        "FEEDSYNC_STREAMS__APP_ID": f"replay{uuid.uuid4().hex[:6]}",
        "FEEDSYNC_STREAMS__INSTANCE_ID": "bench-replay",
        "FEEDSYNC_METRICS__PORT": "0",
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen([FEEDSYNC, "worker"], env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 3600
        while WORKER_READY not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"replay worker not ready: see {log_path}")
            time.sleep(0.2)  # polling for readiness under a deadline
        ready = time.time()
        while True:
            seq, last = item_versions(db_path)
            if seq - start_seq >= items and time.time() - last >= QUIET_S:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"replay not done ({seq - start_seq} of {items}): {log_path}")
            time.sleep(1)  # sampling
        rss, cpu = peak_rss_mb(process.pid), cpu_seconds(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)
    seconds = last - ready
    stack.worker.start(600)
    return {
        "records": records,
        "items": seq - start_seq,
        "seconds": round(seconds, 1),
        "per_s": round(records / seconds),
        "cpu_s": round(cpu, 1),
        "rss_mib": round(rss),
    }


# ---- resume --------------------------------------------------------------------------


def resume(settings: Settings, stack: Stack, db_path: Path) -> tuple[float, float]:
    """SIGKILL the worker, rename a product meanwhile, start it: seconds from the start
    until faust reports it ready, and until the receiver holds the new name."""
    product = a_product(settings)
    kill_worker(stack)
    name = f"resume-{uuid.uuid4().hex[:8]}"
    rename(settings, product, name)  # waits in Kafka for the worker
    started = time.monotonic()
    stack.worker.start(600)
    ready = time.monotonic() - started
    deadline = started + 600
    with sqlite3.connect(db_path) as db:
        while not db.execute(
            "SELECT 1 FROM items WHERE feed = 'products' AND CAST(payload AS TEXT) LIKE ?",
            (f'%"{name}"%',),
        ).fetchone():
            if time.monotonic() > deadline:
                raise SystemExit("the rename was not delivered within 600 s of the restart")
            time.sleep(0.1)  # sampling
    return ready, time.monotonic() - started


# ---- the chart and the report ---------------------------------------------------------


def throughput(db_path: Path, began: float, bucket_s: float = 5.0) -> list[tuple[float, float]]:
    """(seconds since registration, items acknowledged per second) per bucket."""
    with sqlite3.connect(db_path) as db:
        rows = db.execute(
            "SELECT received_at, items FROM requests WHERE status < 300 ORDER BY received_at"
        ).fetchall()
    buckets: dict[int, int] = {}
    for received_at, count in rows:
        buckets[int((received_at - began) // bucket_s)] = (
            buckets.get(int((received_at - began) // bucket_s), 0) + count
        )
    if not buckets:
        return []
    return [(b * bucket_s, buckets.get(b, 0) / bucket_s) for b in range(max(buckets) + 1)]


def draw(path: Path, series: list[tuple[float, float]], latencies: list[dict[str, float]]) -> None:
    figure = Figure(figsize=(11, 4))
    left, right = figure.subplots(1, 2)
    if series:
        left.plot([t for t, _ in series], [v for _, v in series], color="tab:blue")
    left.set_title("Full sync, all 11 feeds: items acknowledged per second")
    left.set_xlabel("seconds since connector registration")
    left.set_ylabel("items/s (5 s buckets)")
    labels = [f"{int(s['rate']):,}/s" for s in latencies]
    for offset, (name, colour) in enumerate(
        (("p50_ms", "tab:green"), ("p90_ms", "tab:orange"), ("p99_ms", "tab:red"))
    ):
        xs = [i + (offset - 1) * 0.25 for i in range(len(latencies))]
        heights = [s[name] if s[name] != float("inf") else s["max_seen_ms"] for s in latencies]
        right.bar(xs, heights, width=0.25, color=colour, label=name[:3])
    for target in (150, 300, 1000):  # P2's goals
        right.axhline(target, color="grey", linestyle="--", linewidth=0.8)
    right.set_xticks(range(len(latencies)), labels)
    right.set_yscale("log")
    right.set_title("Mixed changes: commit → receiver (ms)")
    right.set_xlabel("change rate")
    right.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def versions() -> str:
    pom = (BENCH.parent / "deploy" / "pom.xml").read_text()
    debezium = pom.split("<debezium.version>")[1].split("<")[0]
    kafka = (
        pom.split("<kafka.version>")[1].split("<")[0] if "<kafka.version>" in pom else "see deploy/"
    )
    return (
        f"Python {platform.python_version()}, faust-streaming {version('faust-streaming')}, "
        f"aiokafka {version('aiokafka')}, Kafka {kafka}, Debezium {debezium}"
    )


def write_report(profile: str, command: str, core: dict[str, Any]) -> None:
    """The goals against the newest figure of each key, between the markers of RESULTS.md."""
    results = orjson.loads(RESULTS.read_bytes())["figures"] if RESULTS.exists() else {}

    def figure(key: str, unit: str = "") -> str:
        entry = results.get(key)
        if entry is None:
            return "not measured"
        return f"**{entry['value']}{unit}** (`{entry['commit']}`, {entry['date']})"

    machine = f"{platform.machine()}, {os.cpu_count()} cores, {_memory_gib()} GiB"
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%MZ")
    busy, idle = core.get("busy", {}), core.get("idle", {})
    bare, replayed = core.get("bare", {}), core.get("replay", {})
    lines = [
        BEGIN,
        f"## Issue #13's goals, one command (`bench/speed.py`), profile {profile}",
        "",
        f"Machine {machine}; {versions()}; everything co-located. Command `{command}`, "
        f"{stamp}. The table shows the newest figure of each key in `bench/results.json` "
        "(commit and date beside it).",
        "",
        "| goal | target | measured |",
        "|---|---|---|",
        f"| P1 full sync, all 11 feeds | ≤ 240 s | {figure('full_sync_all_feeds_s', ' s')} |",
        f"| P1 products alone | ≤ 60 s | {figure('products_alone_s', ' s')} |",
        f"| P1 orders alone | ≤ 40 s | {figure('orders_alone_s', ' s')} |",
        f"| P2 1,000 changes/s, p50 | ≤ 300 ms | {figure('steady_p50_ms', ' ms')} |",
        f"| P2 1,000 changes/s, p99 | ≤ 1,000 ms | {figure('steady_p99_ms', ' ms')} |",
        f"| P2 10 changes/s, p50 | ≤ 150 ms | {figure('idle_p50_ms_' + profile, ' ms')} |",
        f"| P3 source events/s, one worker | ≥ 20,000 | {figure('events_per_s_per_worker')} |",
        f"| P3 ratio to a bare consumer | ≥ 0.5 | {figure('ratio_to_bare_consumer')} |",
        f"| P4 worker peak RSS | ≤ 1,024 MiB | {figure('worker_rss_mib_medium', ' MiB')} |",
        f"| Resume after SIGKILL | ≤ 15 s | {figure('resume_s_medium', ' s')} |",
        f"| Scale-out, 2 workers | speedup | {figure('scale_out_2_workers_speedup', ' times')} |",
        "",
    ]
    if busy:
        lines += [
            "This run, in detail:",
            "",
            "| measure | figure |",
            "|---|---|",
        ]
        for name, steady_figures in (("10 changes/s", idle), ("1,000 changes/s", busy)):
            if steady_figures:
                lines.append(
                    f"| {name}: {steady_figures['made']:,} changes committed at "
                    f"{steady_figures['committed_per_s']:,}/s, {steady_figures['seen']:,} seen "
                    f"at the receiver | p50 {_ms(steady_figures['p50_ms'])}, p90 "
                    f"{_ms(steady_figures['p90_ms'])}, p99 {_ms(steady_figures['p99_ms'])}, "
                    f"slowest seen {_ms(steady_figures['max_seen_ms'])} |"
                )
        if "versions" in core:
            lines.append(
                f"| item versions the receiver took in the full sync | {core['versions']:,} |"
            )
        if bare:
            lines.append(
                f"| bare aiokafka consumer + orjson, {bare['records']:,} source records | "
                f"{bare['seconds']} s, {bare['per_s']:,} records/s |"
            )
        if replayed:
            lines.append(
                f"| replay through the pipeline (new app id), {replayed['items']:,} item "
                f"versions | {replayed['seconds']} s, {replayed['per_s']:,} source records/s, "
                f"worker CPU {replayed['cpu_s']} s, peak RSS {replayed['rss_mib']} MiB |"
            )
        if "resume_s" in core:
            lines.append(
                f"| resume after SIGKILL: worker ready, the rename delivered (from its start) | "
                f"{core['resume_ready_s']:.1f} s, {core['resume_s']:.1f} s |"
            )
        lines.append("")
    lines += ["![throughput and latency](speed.png)", "", END]
    text = REPORT.read_text()
    section = "\n".join(lines)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    REPORT.write_text(text)


def _ms(value: float) -> str:
    return "never seen" if value == float("inf") else f"{value:,.0f} ms"


def _memory_gib() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024)
    return 0


# ---- the steps ---------------------------------------------------------------------------


def core_step(profile: str, timeout_s: float, *, idle_s: float, busy_s: float) -> dict[str, Any]:
    state_dir = Path(tempfile.mkdtemp(prefix="feedsync-bench-"))
    settings = use_private_stack(state_dir)
    db_path = state_dir / "receiver.sqlite3"
    feeds = [f for f in FEEDS if f in PROJECTIONS]
    out: dict[str, Any] = {}
    try:
        stack, expected, began = sync(settings, profile, feeds, db_path, timeout_s)
        pid = stack.worker.daemon.pid()
        assert pid is not None
        figures = report(
            profile, settings=settings, expected=expected, began=began, db_path=db_path, pids=[pid]
        )
        out["series"] = throughput(db_path, began)
        out["versions"], _ = item_versions(db_path)
        out["sync"] = figures
        if profile == "medium":
            update_results(
                full_sync_all_feeds_s=round(figures["wall_s"], 1),
                worker_rss_mib_medium=round(figures["max_rss_mib"]),
            )
        # The ceiling and the replay first, while the worker is idle: the 1,000/s stream
        # leaves a backlog that would share the CPU with them.
        out["bare"] = bare_consumer(settings)
        print(f"bare consumer: {out['bare']}", flush=True)
        out["replay"] = replay(
            settings,
            stack,
            db_path,
            items=sum(expected.values()),
            records=int(out["bare"]["records"]),
            log_dir=state_dir,
        )
        print(f"replay: {out['replay']}", flush=True)
        out["resume_ready_s"], out["resume_s"] = resume(settings, stack, db_path)
        print(f"resume: ready {out['resume_ready_s']:.1f} s, delivered {out['resume_s']:.1f} s")
        rows = targets(settings)
        out["idle"] = steady(settings, db_path, rows, rate=10, seconds=idle_s)
        print(f"10 changes/s: {out['idle']}", flush=True)
        out["busy"] = steady(settings, db_path, rows, rate=1000, seconds=busy_s)
        print(f"1,000 changes/s: {out['busy']}", flush=True)
    finally:
        kept = Path(tempfile.gettempdir()) / f"speed-logs-{int(time.time())}"
        if (state_dir / "logs").is_dir():
            shutil.copytree(state_dir / "logs", kept, dirs_exist_ok=True)
        for log in state_dir.glob("*.log"):
            shutil.copy(log, kept)
        print(f"logs kept in {kept}", flush=True)
        clean(settings, say=lambda _l: None)
    update_results(
        **{
            f"idle_p50_ms_{profile}": _bound(out["idle"], "p50_ms"),
            f"idle_p99_ms_{profile}": _bound(out["idle"], "p99_ms"),
        }
    )
    if profile == "medium":
        update_results(
            steady_p50_ms=_bound(out["busy"], "p50_ms"),
            steady_p99_ms=_bound(out["busy"], "p99_ms"),
            events_per_s_per_worker=out["replay"]["per_s"],
            ratio_to_bare_consumer=round(out["replay"]["per_s"] / out["bare"]["per_s"], 3),
            resume_s_medium=round(out["resume_s"], 1),
        )
    return out


def _bound(figures: dict[str, Any], key: str) -> float | str:
    """A percentile, or where it fell among the changes never seen, "> the slowest seen"."""
    value = figures[key]
    return value if value != float("inf") else f"> {figures['max_seen_ms']}"


def bench_script(name: str, *args: str) -> None:
    """Another benchmark of this folder, its output passed through."""
    command = [sys.executable, str(BENCH / name), *args]
    print(f"$ {' '.join(command)}", flush=True)
    subprocess.run(command, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="medium")
    parser.add_argument("--skip", default="", help="steps to leave out: core, alone, workers")
    parser.add_argument("--timeout-s", type=float, default=3600)
    parser.add_argument("--idle-s", type=float, default=30)
    parser.add_argument("--busy-s", type=float, default=120)
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    command = "python bench/speed.py " + " ".join(sys.argv[1:])
    core: dict[str, Any] = {}
    if "core" not in skip:
        core = core_step(args.profile, args.timeout_s, idle_s=args.idle_s, busy_s=args.busy_s)
        draw(CHART, core["series"], [core["idle"], core["busy"]])
    profile = ["--profile", args.profile]
    if "alone" not in skip:
        bench_script("all_feeds.py", *profile, "--feeds", "products", "--alone")
        bench_script("all_feeds.py", *profile, "--feeds", "orders", "--alone")
    if "workers" not in skip:
        bench_script("all_feeds.py", *profile, "--workers", "2")
    write_report(args.profile, command, core)
    print(f"written: {RESULTS}, {REPORT} (section {BEGIN}), {CHART}")
    print(orjson.dumps(load_results(), option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
