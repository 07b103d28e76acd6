"""A minimal Faust app that leaves records unacknowledged, for tests/integration/test_offsets.py.

It reads ``$OFFSETS_TOPIC`` without automatic acks and acknowledges every record except
the one at offset ``$OFFSETS_SKIP`` (as if its delivery were still in flight), then
appends the offset to ``$OFFSETS_SEEN``: one line per record, written once the record is
acknowledged (or deliberately left alone). ``$OFFSETS_BROKER`` is the whole broker URL,
so the same app runs on the ``feedsync://`` transport and on faust's stock ``kafka://``.

``$OFFSETS_STALL_RESEEK_S`` is the transport's ``stall_reseek_s``. With ``$OFFSETS_HOLD``
set, the first record it gets (or the one at ``$OFFSETS_HOLD_AT``) is held (not finished,
not acknowledged) until the file ``$OFFSETS_RELEASE`` exists, while the records fetched
after it wait in the agent's buffer; the file ``$OFFSETS_HOLDING`` says it is holding.

``$OFFSETS_DELAY_FETCH`` names a file: while it exists, the next fetch that returns records
hands them over only once a rebalance has ended (the file is removed when the fetch
returns, ``$OFFSETS_DELAY_FETCH``.released is written when it hands them over). That is
a busy event loop's order of events: the consumer thread fetched the records before the
rebalance, and the rebalance (its seeks included) ran on the loop before the fetch's
result did.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import faust

SKIP = int(os.environ["OFFSETS_SKIP"])
SEEN = Path(os.environ["OFFSETS_SEEN"])
HOLD = bool(os.environ.get("OFFSETS_HOLD"))
DELAY_FETCH = Path(os.environ.get("OFFSETS_DELAY_FETCH") or "/nonexistent")
HOLD_AT = int(os.environ.get("OFFSETS_HOLD_AT") or -1)  # -1: the first record it gets
HOLDING = Path(os.environ["OFFSETS_HOLDING"])
RELEASE = Path(os.environ["OFFSETS_RELEASE"])

app = faust.App(
    os.environ["OFFSETS_APP_ID"],
    broker=os.environ["OFFSETS_BROKER"],
    store="memory://",
    datadir=os.environ["OFFSETS_DATADIR"],
    topic_partitions=1,
    consumer_auto_offset_reset="earliest",
    broker_commit_interval=0.5,
    # The unacked (or held) record would hold the shutdown and rebalances for ever.
    stream_wait_empty=False,
    # A small agent buffer keeps faust's fetch loop waiting to hand over a record, as on
    # a busy worker (the records fetched behind it are what a rebalance drops).
    stream_buffer_maxsize=int(os.environ.get("OFFSETS_BUFFER", "4096")),
    web_enabled=False,
    autodiscover=False,
)
# streams/offsets.py: how long a record dropped on its way stays unread (feedsync:// only)
app.stall_reseek_s = float(os.environ.get("OFFSETS_STALL_RESEEK_S", "60"))  # type: ignore[attr-defined]


@app.task
async def delay_a_fetch_past_a_rebalance() -> None:
    consumer: Any = app.consumer
    fetch = consumer._thread.getmany  # the thread's answer, before the loop takes it

    async def delayed(*args: Any, **kwargs: Any) -> Any:
        records = await fetch(*args, **kwargs)
        if records and DELAY_FETCH.exists():
            DELAY_FETCH.unlink()
            generation = app.consumer_generation_id
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (
                app.consumer_generation_id != generation and consumer.flow_active
            ):
                await asyncio.sleep(0.05)
            DELAY_FETCH.with_suffix(".released").write_text("released")
        return records

    consumer._thread.getmany = delayed


source = app.topic(os.environ["OFFSETS_TOPIC"], value_serializer="raw")


@app.agent(source, concurrency=1)
async def consume(stream: faust.StreamT[bytes]) -> None:
    async for event in stream.noack().events():
        offset = event.message.offset
        if HOLD and not HOLDING.exists() and HOLD_AT in (-1, offset):
            HOLDING.write_text(f"{offset}\n")
            while not RELEASE.exists():
                await asyncio.sleep(0.05)
        if offset != SKIP:
            await stream.ack(event)
        with SEEN.open("a") as seen:
            seen.write(f"{offset}\n")
