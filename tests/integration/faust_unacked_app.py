"""A minimal Faust app that leaves records unacknowledged, for tests/integration/test_offsets.py.

It reads ``$OFFSETS_TOPIC`` without automatic acks and acknowledges every record except
the one at offset ``$OFFSETS_SKIP`` (as if its delivery were still in flight), then
appends the offset to ``$OFFSETS_SEEN``: one line per record, written once the record is
acknowledged (or deliberately left alone). ``$OFFSETS_BROKER`` is the whole broker URL,
so the same app runs on the ``feedsync://`` transport and on faust's stock ``kafka://``.

``$OFFSETS_STALL_RESEEK_S`` is the transport's ``stall_reseek_s``. With ``$OFFSETS_HOLD``
set, the first record it gets is held (not finished, not acknowledged) until the file
``$OFFSETS_RELEASE`` exists, while the records fetched after it wait in the agent's
buffer; the file ``$OFFSETS_HOLDING`` says it is holding.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import faust

SKIP = int(os.environ["OFFSETS_SKIP"])
SEEN = Path(os.environ["OFFSETS_SEEN"])
HOLD = bool(os.environ.get("OFFSETS_HOLD"))
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
source = app.topic(os.environ["OFFSETS_TOPIC"], value_serializer="raw")


@app.agent(source, concurrency=1)
async def consume(stream: faust.StreamT[bytes]) -> None:
    async for event in stream.noack().events():
        offset = event.message.offset
        if HOLD and not HOLDING.exists():
            HOLDING.write_text(f"{offset}\n")
            while not RELEASE.exists():
                await asyncio.sleep(0.05)
        if offset != SKIP:
            await stream.ack(event)
        with SEEN.open("a") as seen:
            seen.write(f"{offset}\n")
