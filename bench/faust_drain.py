"""Benchmark: what faust's per-event path costs an agent that only counts (issue #13).

One faust worker (feedsync's transport) reads every source topic of the profile's snapshot
from its start with one agent that counts and acknowledges, and nothing else; its time is
the first record counted → the last. Four modes, each a fresh worker and app id, one after
the other on a private stack where nothing else runs:

- how the agent takes its events: ``noack_take(1000)`` and ``stream.ack`` per event (what
  the route and project agents did before ``streams/batches.py``), or ``drain`` lists and
  ``ack_all`` (what they do now);
- the fetch loop that hands records to the agents: faust's (``Consumer._drain_messages``,
  a race of four tasks per record) or feedsync's (``SafeOffsetConsumer._drain_messages``,
  the record handed over directly).

    .venv/bin/python bench/faust_drain.py --profile medium

The worker's settings are the pipeline's (``streams/app.py``: buffer, poll records).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import faust
from faust.transport import consumer as faust_consumer
from private_stack import use_private_stack  # bench/ is on sys.path when run
from route_ceiling import wait_for_snapshot

from connectors.debezium import source_topic
from feeds.registry import CAPTURED_TABLES
from feedsync.settings import load_settings
from feedsync.stack.orchestrate import clean, up
from streams.batches import ack_all, drain
from streams.offsets import SafeOffsetConsumer, broker_url
from streams.topology import DRAIN_LINGER_S, STAGE_LINGER_S

MODES = ("noack_take:faust", "drain:faust", "noack_take:feedsync", "drain:feedsync")
TAKE_BATCH = 1000
FETCH_LOOP = "_drain_messages"  # the consumer's method that hands fetched records over


def child(mode: str, expect: int, out: Path, data_dir: Path) -> None:
    """One worker that counts ``expect`` source records in ``mode``, then writes its
    figures to ``out`` and stops."""
    take, fetch = mode.split(":")
    if fetch == "faust":  # faust's own fetch loop on the same consumer
        setattr(SafeOffsetConsumer, FETCH_LOOP, getattr(faust_consumer.Consumer, FETCH_LOOP))
    settings = load_settings()
    app = faust.App(
        f"bench-drain-{uuid.uuid4().hex[:8]}",
        broker=broker_url(settings.kafka.bootstrap_servers),
        store="memory://",
        datadir=str(data_dir),
        consumer_auto_offset_reset="earliest",
        stream_buffer_maxsize=settings.streams.stream_buffer_maxsize,
        broker_max_poll_records=settings.streams.max_poll_records,
        web_enabled=False,
        autodiscover=False,
    )
    topic = app.topic(*[source_topic(settings, t) for t in CAPTURED_TABLES], value_serializer="raw")
    seen = {"n": 0, "first": 0.0}

    def counted(n: int) -> None:
        if not seen["n"]:
            seen["first"] = time.monotonic()
        seen["n"] += n
        if seen["n"] >= expect:
            seconds = time.monotonic() - seen["first"]
            out.write_text(json.dumps({"records": seen["n"], "seconds": seconds}))
            os.kill(os.getpid(), signal.SIGTERM)

    @app.agent(topic)
    async def count(stream: Any) -> None:
        if take == "drain":
            async for events in drain(stream, TAKE_BATCH, DRAIN_LINGER_S):
                counted(len(events))
                await ack_all(stream, events)
        else:
            async for events in stream.noack_take(TAKE_BATCH, within=STAGE_LINGER_S):
                counted(len(events))
                for event in events:
                    await stream.ack(event)

    sys.argv = ["faust", "worker", "--loglevel", "warn"]
    app.main()


def run_mode(mode: str, expect: int, state: Path) -> dict[str, float]:
    out = state / f"{mode.replace(':', '-')}.json"
    data_dir = state / "faust" / uuid.uuid4().hex
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, __file__, "--child", mode, "--expect", str(expect)]
    command += ["--out", str(out), "--data-dir", str(data_dir)]
    subprocess.run(command, check=False, timeout=1800)
    if not out.exists():
        raise SystemExit(f"{mode}: the worker stopped before it counted {expect} records")
    figures: dict[str, float] = json.loads(out.read_text())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="medium")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--child")
    parser.add_argument("--expect", type=int)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.expect, args.out, args.data_dir)
        return

    state = Path(tempfile.mkdtemp(prefix="feedsync-drain-"))
    settings = use_private_stack(state)
    results = {}
    try:
        up(settings, profile=args.profile, say=lambda _l: None, register=False, pipeline=False)
        rows = wait_for_snapshot(settings, 1800)
        for mode in args.modes.split(","):
            results[mode] = run_mode(mode, rows, state)
    finally:
        clean(settings, say=lambda _l: None)
    print(f"profile {args.profile}: {rows:,} source records; an agent that only counts")
    print(f"{'take':<12}{'fetch loop':<12}{'seconds':>9}{'records/s':>11}")
    for mode, run in results.items():
        take, fetch = mode.split(":")
        rate = run["records"] / run["seconds"]
        print(f"{take:<12}{fetch:<12}{run['seconds']:>9.1f}{rate:>11,.0f}")


if __name__ == "__main__":
    main()
