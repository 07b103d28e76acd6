"""A minimal Faust app used to prove faust-streaming works against the pinned Kafka.

It upper-cases every value of ``$SMOKE_IN`` into ``$SMOKE_OUT``, acknowledging only
after the produce is confirmed (the pattern the delivery agents use).
"""

from __future__ import annotations

import os

import faust

app = faust.App(
    os.environ["SMOKE_APP_ID"],
    broker=f"kafka://{os.environ['SMOKE_BROKER']}",
    store="memory://",
    topic_partitions=1,
    web_enabled=False,
    datadir=os.environ["SMOKE_DATADIR"],  # faust writes <app id>-data/ there, not in the tree
)
source = app.topic(os.environ["SMOKE_IN"], value_serializer="raw")
sink = app.topic(os.environ["SMOKE_OUT"], value_serializer="raw")


@app.agent(source, concurrency=1)
async def echo(stream: faust.StreamT[bytes]) -> None:
    async for events in stream.noack_take(10, within=0.5):
        for event in events:
            delivered = await sink.send(value=event.value.upper())
            await delivered  # the broker confirmed the produce
        for event in events:
            await stream.ack(event)
