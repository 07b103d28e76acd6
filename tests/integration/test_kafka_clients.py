"""The Python clients feedsync uses, against the pinned Kafka broker."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka import KafkaProducer

from feedsync.settings import Settings
from feedsync.stack.orchestrate import Stack
from tests.integration.kafka_tools import read_until

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_aiokafka_round_trip_with_committed_group_offsets(stack: Stack, settings: Settings) -> None:
    topic, group = f"smoke-aio-{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"

    async def scenario() -> tuple[list[bytes], int | None]:
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers)
        await producer.start()
        try:
            for n in range(20):
                await producer.send_and_wait(topic, f"v{n}".encode(), key=b"k")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=settings.kafka.bootstrap_servers,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            seen: list[bytes] = []
            async with asyncio.timeout(60):
                while len(seen) < 20:
                    batch = await consumer.getmany(timeout_ms=500)
                    seen += [m.value for messages in batch.values() for m in messages if m.value]
            await consumer.commit()
            committed = await consumer.committed(next(iter(consumer.assignment())))
        finally:
            await consumer.stop()
        return seen, committed

    values, committed = asyncio.run(scenario())
    assert values == [f"v{n}".encode() for n in range(20)]
    assert committed == 20


def test_faust_agent_consumes_and_produces(
    stack: Stack, settings: Settings, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    source, sink = f"smoke-faust-in-{suffix}", f"smoke-faust-out-{suffix}"
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers)
    for word in (b"alpha", b"beta", b"gamma"):
        producer.send(source, word)
    producer.flush()
    producer.close()
    env = {
        **os.environ,
        "SMOKE_APP_ID": f"feedsync-smoke-{suffix}",
        "SMOKE_BROKER": settings.kafka.bootstrap_servers,
        "SMOKE_IN": source,
        "SMOKE_OUT": sink,
        "SMOKE_DATADIR": str(tmp_path / "faust-data"),
    }
    log = (tmp_path / "faust.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "faust",
            "-A",
            "tests.integration.faust_echo_app",
            "worker",
            "-l",
            "warn",
            "--without-web",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        records = read_until(
            settings, sink, lambda seen: len(seen) >= 3 or worker.poll() is not None, timeout_s=120
        )
        assert len(records) >= 3
    except AssertionError:
        output = (tmp_path / "faust.log").read_text(errors="replace")
        raise AssertionError(
            f"the faust worker produced nothing; its output:\n{output[-3000:]}"
        ) from None
    finally:
        if worker.poll() is None:
            worker.terminate()
        worker.wait(timeout=60)
        log.close()
    assert sorted(r.raw for r in records) == [b"ALPHA", b"BETA", b"GAMMA"]
