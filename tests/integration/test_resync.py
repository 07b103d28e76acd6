"""``feedsync resync``: topic replay through the worker's delivery path, on the real stack."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from kafka import KafkaProducer

from feedsync.ops.resync import runs_topic
from feedsync.stack.orchestrate import Stack
from feedsync.stack.pipeline import FEEDSYNC
from tests.integration.pipeline import Pipeline, running_pipeline

pytestmark = pytest.mark.integration

FEEDS = ("scopesWebsite", "scopesCustomerGroup", "products")


@pytest.fixture(scope="module")
def pipeline(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    with running_pipeline(
        tmp_path_factory.mktemp("resync"), FEEDSYNC_STREAMS__FEEDS=",".join(FEEDS)
    ) as pipeline:
        pipeline.wait_clean(FEEDS, timeout_s=300)
        yield pipeline


def feedsync(pipeline: Pipeline, *args: str, timeout_s: float = 300) -> tuple[int, str, str]:
    done = subprocess.run(
        [FEEDSYNC, *args],
        env=pipeline.worker.env,
        capture_output=True,
        timeout=timeout_s,
        check=False,
    )
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def report(pipeline: Pipeline, *args: str) -> dict[str, Any]:
    code, out, err = feedsync(pipeline, "resync", "--json", *args)
    assert code == 0, f"exit {code}\n{out}\n{err}"
    result: dict[str, Any] = json.loads(out)
    return result


def skus(pipeline: Pipeline, count: int) -> list[str]:
    items = pipeline.receiver.items("products").values()
    return sorted({p["sku"] for p in items if not p.get("deleted")})[:count]


def item_ids_of(pipeline: Pipeline, wanted: set[str]) -> set[str]:
    items = pipeline.receiver.items("products")
    return {item_id for item_id, p in items.items() if p.get("sku") in wanted}


def test_a_dry_run_prints_redacted_payloads_and_sends_nothing(pipeline: Pipeline) -> None:
    chosen = skus(pipeline, 2)
    began = time.time()
    result = report(
        pipeline, "--feed", "products", "--by-ids", ",".join(chosen), "--dry-run", "--force"
    )
    assert result["run"] is None
    printed = {item["payload"]["sku"] for item in result["items"]}
    assert printed == set(chosen)
    assert result["feeds"][0]["to_send"] == len(item_ids_of(pipeline, set(chosen)))
    assert pipeline.receiver.received_since("products", began) == {}


def test_without_force_what_the_endpoint_holds_is_not_sent_again(pipeline: Pipeline) -> None:
    result = report(pipeline, "--feed", "products")
    (feed,) = result["feeds"]
    assert feed["items_in_topic"] > 0
    assert feed["unchanged"] == feed["selected"] == feed["items_in_topic"]
    assert feed["to_send"] == 0


def test_by_ids_with_force_resends_exactly_their_items(pipeline: Pipeline) -> None:
    chosen = set(skus(pipeline, 3))
    began = time.time()
    result = report(pipeline, "--feed", "products", "--by-ids", ",".join(chosen), "--force")
    (feed,) = result["feeds"]
    expected = item_ids_of(pipeline, chosen)
    assert feed["to_send"] == len(expected) > 0
    assert feed["states"] == {"delivered": len(expected)}
    assert feed["unconfirmed"] == 0
    assert set(pipeline.receiver.received_since("products", began)) == expected


def test_an_unknown_id_field_names_the_fields_there_are(pipeline: Pipeline) -> None:
    code, _out, err = feedsync(
        pipeline, "resync", "--feed", "products", "--by-ids", "x", "--id-type", "colour"
    )
    assert code == 2
    assert "no field 'colour'" in err
    assert "sku" in err


def test_a_service_that_lost_its_data_gets_everything_back(pipeline: Pipeline) -> None:
    assert pipeline.receiver.wipe("products") > 0
    result = report(pipeline, "--feed", "products", "--force")
    (feed,) = result["feeds"]
    assert feed["unconfirmed"] == 0
    pipeline.wait_clean(FEEDS, timeout_s=60)


def test_a_second_resync_of_a_feed_is_refused_while_one_runs(pipeline: Pipeline) -> None:
    settings = pipeline.settings
    lease = {
        "run": "resync-other",
        "state": "running",
        "owner": "elsewhere:1",
        "started": time.time(),
        "renewed": time.time(),
    }
    writer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        writer.send(runs_topic(settings), key=b"products", value=orjson.dumps(lease)).get(30)
        code, _out, err = feedsync(pipeline, "resync", "--feed", "products", "--force")
        assert code == 2
        assert "running already: run resync-other" in err
    finally:
        done = {**lease, "state": "done"}
        writer.send(runs_topic(settings), key=b"products", value=orjson.dumps(done)).get(30)
        writer.close()


def test_an_interrupted_resync_continues_and_each_item_is_sent_once(pipeline: Pipeline) -> None:
    # A slow endpoint, so that the resync is still running when it is interrupted.
    pipeline.receiver.set_faults([{"feed": "products", "latency_s": 0.3}])
    began = time.time()
    process = subprocess.Popen(
        [FEEDSYNC, "resync", "--feed", "products", "--force", "--json"],
        env=pipeline.worker.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Interrupt once the worker has sent some of it (the resync follows the deliveries).
    pipeline.wait_until(
        lambda: len(pipeline.receiver.received_since("products", began)) > 0,
        "the first items of the resync delivered",
    )
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err.decode()
    pipeline.receiver.set_faults([])
    result = report(pipeline, "--feed", "products", "--force", "--continue")
    (feed,) = result["feeds"]
    assert feed["already_handed"] + feed["to_send"] == feed["selected"]
    assert feed["unconfirmed"] == 0
    topic_items = feed["items_in_topic"]
    pipeline.wait_until(
        lambda: len(pipeline.receiver.received_since("products", began)) == topic_items,
        "every item of the feed resent",
    )
    counts = pipeline.receiver.received_since("products", began)
    assert set(counts.values()) == {1}, "an item was sent twice"
