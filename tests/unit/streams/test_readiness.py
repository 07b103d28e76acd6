"""The readiness decision (streams/readiness.py) on a fake clock, and ``/ready`` served
beside ``/metrics`` on one port (streams/metrics.py)."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import REGISTRY, generate_latest, make_wsgi_app

from feedsync.settings import MetricsSettings
from streams import metrics
from streams.metrics import listen, ready_app
from streams.readiness import PROGRESS_WINDOW_S, Readiness

TOPIC = "app.entity.products"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def readiness(clock: Clock) -> Readiness:
    return Readiness(window_s=PROGRESS_WINDOW_S, clock=clock)


def test_not_ready_before_the_first_sample(readiness: Readiness) -> None:
    verdict = readiness.verdict()
    assert not verdict.ready
    assert "not sampled yet" in verdict.reason


def test_not_ready_without_partitions(readiness: Readiness) -> None:
    readiness.observe({}, assigned=False, work=0)
    verdict = readiness.verdict()
    assert not verdict.ready
    assert verdict.reason == "no partitions assigned yet"


def test_ready_when_caught_up(readiness: Readiness) -> None:
    readiness.observe({TOPIC: 0, "app.items.prices": 0}, assigned=True, work=0)
    assert readiness.verdict().ready
    assert readiness.verdict().reason == "caught up"


def test_owning_only_waiting_stages_is_ready(readiness: Readiness) -> None:
    """A worker whose partitions are all dead letters or changelogs has nothing to move."""
    readiness.observe({}, assigned=True, work=0)
    assert readiness.verdict().ready


def test_a_backlog_is_not_ready_until_progress_is_seen(readiness: Readiness, clock: Clock) -> None:
    readiness.observe({TOPIC: 500}, assigned=True, work=10)
    first = readiness.verdict()
    assert not first.ready
    assert first.reason == f"lag 500 on {TOPIC} and no progress seen yet (0 s)"
    clock.now += 5
    readiness.observe({TOPIC: 700}, assigned=True, work=60)  # the lag grows, work goes on
    verdict = readiness.verdict()
    assert verdict.ready
    assert verdict.reason == f"lag 700 on {TOPIC}, progressing"


def test_a_falling_lag_is_progress_without_counted_work(readiness: Readiness, clock: Clock) -> None:
    readiness.observe({TOPIC: 500}, assigned=True, work=10)
    clock.now += 5
    readiness.observe({TOPIC: 400}, assigned=True, work=10)
    assert readiness.verdict().ready


def test_a_stall_turns_unready_after_the_window_and_ready_again_on_progress(
    readiness: Readiness, clock: Clock
) -> None:
    readiness.observe({TOPIC: 0}, assigned=True, work=0)
    for _ in range(24):  # two minutes of samples: a burst arrives and nothing moves
        clock.now += 5
        readiness.observe({TOPIC: 1234}, assigned=True, work=0)
    assert readiness.verdict().ready  # exactly the window: still within it
    clock.now += 10
    readiness.observe({TOPIC: 1234}, assigned=True, work=0)
    verdict = readiness.verdict()
    assert not verdict.ready
    assert verdict.reason == f"lag 1234 on {TOPIC} and no progress for 130 s"
    clock.now += 5
    readiness.observe({TOPIC: 1234}, assigned=True, work=1)
    assert readiness.verdict().ready


def test_the_reason_names_the_topic_holding_most_of_the_backlog(
    readiness: Readiness, clock: Clock
) -> None:
    readiness.observe({TOPIC: 30, "app.items.prices": 900}, assigned=True, work=0)
    clock.now += PROGRESS_WINDOW_S + 1
    readiness.observe({TOPIC: 30, "app.items.prices": 900}, assigned=True, work=0)
    reason = readiness.verdict().reason
    assert reason == (
        "lag 930 on 2 topics (most on app.items.prices: 900) and no progress seen yet (121 s)"
    )


def test_samples_that_stop_coming_mean_a_stalled_loop(readiness: Readiness, clock: Clock) -> None:
    readiness.observe({TOPIC: 0}, assigned=True, work=0)
    clock.now += PROGRESS_WINDOW_S + 30
    verdict = readiness.verdict()
    assert not verdict.ready
    assert verdict.reason.startswith("the consumer's lag was last sampled 150 s ago")


def test_set_lag_leaves_dead_letters_and_changelogs_out_of_the_readiness(
    monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    fresh = Readiness(clock=clock)
    monkeypatch.setattr(metrics, "READINESS", fresh)
    metrics.set_lag(
        "app", {"app.dlq.products": 40, "app-app-state-products-changelog": 7, TOPIC: 0}
    )
    assert fresh.verdict().reason == "caught up"


def test_set_lag_counts_work_done_as_progress(
    monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    fresh = Readiness(clock=clock)
    monkeypatch.setattr(metrics, "READINESS", fresh)
    metrics.set_lag("app", {TOPIC: 50})
    assert not fresh.verdict().ready
    metrics.RECORDS_IN.labels("project").inc(3)
    clock.now += 5
    metrics.set_lag("app", {TOPIC: 80})
    assert fresh.verdict().ready


def test_ready_and_metrics_share_one_port(clock: Clock) -> None:
    readiness = Readiness(clock=clock)
    server = listen("127.0.0.1", 0, ready_app(make_wsgi_app(REGISTRY), readiness))
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        starting = httpx.get(f"{base}/ready", timeout=5)
        assert starting.status_code == 503
        assert starting.text == "not ready: starting: the consumer's lag was not sampled yet\n"
        assert starting.headers["content-type"].startswith("text/plain")
        readiness.observe({TOPIC: 0}, assigned=True, work=0)
        ready = httpx.get(f"{base}/ready", timeout=5)
        assert (ready.status_code, ready.text) == (200, "ready: caught up\n")
        assert httpx.post(f"{base}/ready", timeout=5).status_code == 405

        served = httpx.get(f"{base}/metrics", timeout=5)
        assert served.status_code == 200
        ours = [line for line in served.text.splitlines() if "feedsync_" in line]
        expected = [
            line for line in generate_latest(REGISTRY).decode().splitlines() if "feedsync_" in line
        ]
        assert ours == expected
    finally:
        server.shutdown()
        server.server_close()


def test_serve_reports_a_taken_port_and_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    taken = listen("127.0.0.1", 0, make_wsgi_app(REGISTRY))
    try:
        settings = MetricsSettings(host="127.0.0.1", port=taken.server_port)
        assert metrics.serve(settings) is None
        assert "FEEDSYNC_METRICS__PORT" in caplog.text
    finally:
        taken.shutdown()
        taken.server_close()
