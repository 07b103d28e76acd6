"""Benchmark: feedsync side by side with a peer, Debezium Server's HTTP sink (issue #13).

The peer is Debezium Server (``io.debezium:debezium-server-dist`` from Maven Central, run
on a Java 21+), reading the same MariaDB with the same source settings as feedsync's
connector (tables, columns left out, snapshot mode) and posting every change event as it
is, in JSON arrays of ``--peer-batch`` records, to the same receiver (its ``/raw/peer``
route counts them). It does what a CDC-to-HTTP pipe does without a projection: one record
per table row, no feed items.

One run on one private stack: feedsync's full sync of ``--feeds`` first (as
``bench/all_feeds.py``: connector registration to the last request, ``verify`` clean), its
worker stopped, then the peer's snapshot of the same tables, from the peer's launch (JVM
start included) to the last record received. The peer runs alone on the box, as feedsync
did (Kafka and Connect idle beside it). It reports both rates and their ratio, feedsync
items/s ÷ peer records/s, and on medium writes it into ``bench/results.json``.

    .venv/bin/python bench/peer.py --profile medium [--feeds products --alone]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

import httpx
from all_feeds import cpu_seconds, receiver_stats, sync
from full_sync import peak_rss_mb
from private_stack import use_private_stack
from results import update_results
from snapshot_rate import row_counts

from connectors.debezium import PASSWORD_VARIABLE, connector_config
from feeds.registry import FEEDS
from feedsync.settings import Settings
from feedsync.stack.layout import Layout
from feedsync.stack.orchestrate import Stack, clean, up
from feedsync.verify.projections import FEEDS as PROJECTIONS

PEER_VERSION = "3.6.0.Final"
PEER_ARTIFACT = f"io.debezium:debezium-server-dist:{PEER_VERSION}:tar.gz"
PEER_SOURCE = "peer"  # the receiver's /raw/{source}
PEER_HTTP_PORT = 18980  # Debezium Server's own (Quarkus) HTTP port, off the stack's
QUIET_S = 15.0

# Connector settings that belong to Kafka Connect (converters, topic creation, the schema
# history's Kafka topic), not to an embedded engine: Debezium Server sets its own.
_CONNECT_ONLY = ("key.converter", "value.converter", "topic.creation.", "errors.", "tasks.max")
_KAFKA_HISTORY = "schema.history.internal."


def peer_home(settings: Settings, java: str) -> Path:
    """Debezium Server unpacked in the stack's cache, fetched once by Maven (checksums
    checked) into the stack's local repository."""
    layout = Layout.of(settings)
    home = layout.cache / "peer" / f"debezium-server-{PEER_VERSION}"
    if (home / "debezium-server" / "run.sh").exists():
        return home / "debezium-server"
    maven = shutil.which(settings.stack.maven) or "mvn"
    download = layout.cache / "peer" / "download"
    fetched = subprocess.run(
        [
            maven,
            "-B",
            "-q",
            "--strict-checksums",
            f"-Dmaven.repo.local={layout.maven_repo}",
            "dependency:copy",
            f"-Dartifact={PEER_ARTIFACT}",
            f"-DoutputDirectory={download}",
        ],
        check=False,
        timeout=1800,
        env={**os.environ, "JAVA_HOME": str(Path(java).resolve().parent.parent)},
    )
    if fetched.returncode != 0:
        raise SystemExit(
            f"Maven could not fetch {PEER_ARTIFACT} (exit {fetched.returncode}, its output "
            "above): check access to Maven Central"
        )
    (archive,) = download.glob("debezium-server-dist-*.tar.gz")
    partial = home.with_suffix(".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(partial, filter="data")
    partial.rename(home)
    archive.unlink()
    return home / "debezium-server"


def peer_properties(settings: Settings, work: Path, batch: int) -> str:
    """Debezium Server's application.properties: feedsync's source settings under
    ``debezium.source.``, offsets and schema history in files, the HTTP sink."""
    source = {
        key: value
        for key, value in connector_config(settings).items()
        if not key.startswith(_CONNECT_ONLY) and not key.startswith(_KAFKA_HISTORY)
    }
    source.update(
        {
            "connector.class": "io.debezium.connector.mariadb.MariaDbConnector",
            # Quarkus resolves ${VAR} from the environment: no password in the file.
            "database.password": f"${{{PASSWORD_VARIABLE}}}",
            "database.server.id": str(settings.connect.server_id + 1000),
            "topic.prefix": PEER_SOURCE,
            "offset.storage.file.filename": str(work / "offsets.dat"),
            "offset.flush.interval.ms": "1000",
            "schema.history.internal": "io.debezium.storage.file.history.FileSchemaHistory",
            "schema.history.internal.file.filename": str(work / "history.dat"),
        }
    )
    receiver = f"http://127.0.0.1:{settings.receiver.port}/raw/{PEER_SOURCE}"
    lines = [f"debezium.source.{key}={value}" for key, value in sorted(source.items())]
    lines += [
        "debezium.sink.type=http",
        f"debezium.sink.http.url={receiver}",
        "debezium.sink.http.batch.enabled=true",
        f"debezium.sink.http.batch.max-size={batch}",
        "debezium.format.value=json",
        "debezium.format.value.schemas.enable=false",
        "debezium.format.key=json",
        "debezium.format.key.schemas.enable=false",
        f"quarkus.http.port={PEER_HTTP_PORT}",
        "quarkus.log.level=INFO",
    ]
    return "\n".join(lines) + "\n"


def run_peer(
    settings: Settings, work: Path, *, expected: int, args: argparse.Namespace
) -> dict[str, float]:
    """Launch the peer, wait until the receiver holds ``expected`` of its records and no
    more came for QUIET_S; its wall time, rate, CPU and peak RSS."""
    java, timeout_s = args.java, args.timeout_s
    if shutil.which(java) is None:
        raise SystemExit(f"no Java at {java}: Debezium Server 3.6 needs Java 21+ (--java)")
    home = peer_home(settings, java)
    (work / "config").mkdir(parents=True, exist_ok=True)
    (work / "config" / "application.properties").write_text(
        peer_properties(settings, work, args.peer_batch)
    )
    env = {
        **os.environ,
        PASSWORD_VARIABLE: settings.database.debezium_password.get_secret_value(),
    }
    classpath = os.pathsep.join(
        [
            str(next(home.glob("debezium-server-*runner.jar"))),
            str(home / "config/lib"),
            str(home / "lib/*"),
        ]
    )
    url = f"http://127.0.0.1:{settings.receiver.port}/raw/{PEER_SOURCE}"
    log = work / "peer.log"
    launched = time.time()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [java, "-cp", classpath, "io.debezium.server.Main"],
            cwd=work,
            env=env,
            stdout=out,
            stderr=out,
        )
    try:
        while True:
            counted = httpx.get(url, timeout=30).json()
            done = counted["records"] >= expected and time.time() - counted["last"] >= QUIET_S
            if done:
                break
            if process.poll() is not None:
                raise SystemExit(f"the peer stopped (exit {process.returncode}): see {log}")
            if time.time() - launched > timeout_s:
                raise SystemExit(f"the peer posted {counted['records']} of {expected}: {log}")
            time.sleep(1)  # sampling the receiver's count under a deadline
        cpu, rss = cpu_seconds(process.pid), peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)
    wall = counted["last"] - launched
    return {
        "records": counted["records"],
        "requests": counted["requests"],
        "wall_s": wall,
        "first_s": counted["first"] - launched,
        "records_per_s": counted["records"] / wall,
        "cpu_s": cpu,
        "rss_mib": rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="medium")
    parser.add_argument("--feeds", default=",".join(f for f in FEEDS if f in PROJECTIONS))
    parser.add_argument("--alone", action="store_true", help="the worker runs only --feeds")
    parser.add_argument("--peer-batch", type=int, default=100, help="records per request")
    parser.add_argument("--java", default="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")
    parser.add_argument("--timeout-s", type=float, default=3600)
    parser.add_argument("--peer-only", action="store_true", help="only the peer (its set-up)")
    args = parser.parse_args()
    feeds = [f for f in args.feeds.split(",") if f]
    if args.alone:
        os.environ["FEEDSYNC_STREAMS__FEEDS"] = ",".join(feeds)
    state_dir = Path(tempfile.mkdtemp(prefix="feedsync-peer-"))
    settings = use_private_stack(state_dir)
    db_path = state_dir / "receiver.sqlite3"
    if args.peer_only:
        try:
            up(settings, profile=args.profile, say=lambda _l: None, register=False, pipeline=False)
            Stack.of(settings).receiver.start(120)
            rows = sum(row_counts(settings).values())  # a snapshot posts one record a row
            peer = run_peer(settings, state_dir / "peer", expected=rows, args=args)
            print(peer)
        finally:
            clean(settings, say=lambda _l: None)
        return
    try:
        stack, expected, began = sync(settings, args.profile, feeds, db_path, args.timeout_s)
        stats = receiver_stats(db_path)
        held = [stats.get(feed, (0, began, 0)) for feed in expected]
        items, last = sum(h[0] for h in held), max(h[1] for h in held)
        worker_pid = stack.worker.daemon.pid()
        worker_cpu = cpu_seconds(worker_pid) if worker_pid else float("nan")
        worker_rss = peak_rss_mb(worker_pid) if worker_pid else float("nan")
        stack.worker.daemon.stop(60)
        rows = sum(row_counts(settings).values())  # a snapshot posts one record a row
        peer = run_peer(settings, state_dir / "peer", expected=rows, args=args)
    finally:
        clean(settings, say=lambda _l: None)
    ours = items / (last - began)
    ratio = ours / peer["records_per_s"]
    print(
        f"machine   {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; profile {args.profile}; feeds {','.join(feeds)}"
        f"{' (worker ran only these)' if args.alone else ''}"
    )
    print(
        f"feedsync  {items:,} items in {last - began:.1f} s (registration to last request): "
        f"{ours:,.0f} items/s; worker CPU {worker_cpu:.1f} s, peak RSS {worker_rss:.0f} MiB"
    )
    print(
        f"peer      Debezium Server {PEER_VERSION} HTTP sink, {peer['records']:,} of {rows:,} "
        f"source rows in {peer['wall_s']:.1f} s (launch to last request; first after "
        f"{peer['first_s']:.1f} s), {peer['requests']:,} requests: "
        f"{peer['records_per_s']:,.0f} records/s; CPU {peer['cpu_s']:.1f} s, peak RSS "
        f"{peer['rss_mib']:.0f} MiB"
    )
    print(f"ratio     feedsync items/s ÷ peer records/s = {ratio:.3f}")
    if args.profile == "medium":
        alone = "_products_alone" if args.alone and feeds == ["products"] else ""
        figures: dict[str, float] = {
            f"peer_ratio{alone}": round(ratio, 3),
            f"peer_records_per_s{alone}": round(peer["records_per_s"]),
        }
        if not args.alone:  # the same measure as all_feeds.py's: P1 and P4
            figures["full_sync_all_feeds_s"] = round(last - began, 1)
            figures["worker_rss_mib_medium"] = round(worker_rss)
        update_results(**figures)


if __name__ == "__main__":
    main()
