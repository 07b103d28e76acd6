"""What the operator commands print: a progress bar while they run, then a table, or JSON
for scripts. Payloads are printed redacted (feedsync.logs.redact)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import orjson
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from feeds.feed import Feed
from feedsync.logs import redact
from feedsync.ops.dlq import OpenLetter, counts
from feedsync.ops.estimate import FeedEstimate
from feedsync.ops.from_source import SnapshotRequest
from feedsync.ops.health import Health
from feedsync.ops.resync import FeedPlan, Outcome, ResyncOptions, resync
from feedsync.settings import Settings
from streams.redrive_report import RedriveReport
from streams.status import ItemState

__all__ = [
    "present_estimate",
    "present_health",
    "present_letter",
    "present_letters",
    "present_resync",
    "present_sending",
    "present_snapshot_request",
]

DRY_RUN_SHOWN = 20  # payloads printed by a dry run without --json


def progress_bar(console: Console, *, disable: bool) -> tuple[Progress, ProgressHooks]:
    """A bar per feed: items confirmed of items sent, their rate and the time left."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=disable,
    )
    tasks: dict[str, TaskID] = {}

    def planned(plan: FeedPlan) -> None:
        tasks[plan.feed] = bar.add_task(plan.feed, total=len(plan.send), rate="")

    def progress(feed: str, done: int, total: int) -> None:
        task = bar.tasks[tasks[feed]]
        rate = f"{task.speed:,.0f} items/s" if task.speed else ""
        bar.update(tasks[feed], completed=done, total=total, rate=rate)

    return bar, ProgressHooks(planned, progress)


@dataclass(frozen=True)
class ProgressHooks:
    planned: Callable[[FeedPlan], None]
    progress: Callable[[str, int, int], None]


def present_resync(
    settings: Settings,
    feeds: list[Feed],
    options: ResyncOptions,
    console: Console,
    *,
    as_json: bool,
) -> bool:
    """Run a resync and print it; False when an item failed or was not confirmed."""
    return present_sending(
        console,
        options,
        lambda hooks: resync(
            settings, feeds, options, progress=hooks.progress, planned=hooks.planned
        ),
        as_json=as_json,
    )


Sending = Callable[[ProgressHooks], tuple[str | None, list[FeedPlan], list[Outcome]]]


def present_sending(
    console: Console, options: ResyncOptions, sending: Sending, *, as_json: bool
) -> bool:
    """Run a resync or a replay with a progress bar, then print what became of it."""
    began = time.monotonic()
    bar, hooks = progress_bar(console, disable=as_json or options.dry_run)
    with bar:
        run, plans, outcomes = sending(hooks)
    elapsed = time.monotonic() - began
    ok = all(not o.unconfirmed and set(o.states) <= {"delivered", "unchanged"} for o in outcomes)
    by_feed = {outcome.feed: outcome for outcome in outcomes}
    if as_json:
        report: dict[str, Any] = {
            "run": run,
            "dry_run": options.dry_run,
            "force": options.force,
            "elapsed_s": round(elapsed, 2),
            "feeds": [
                {**plan.summary(), **(by_feed[plan.feed].summary() if plan.feed in by_feed else {})}
                for plan in plans
            ],
        }
        if options.dry_run:
            report["items"] = [_shown(item) for plan in plans for _, item in plan.send]
        console.print_json(orjson.dumps(report).decode())
        return ok
    _print_table(console, plans, outcomes, run, elapsed)
    if options.dry_run:
        shown = [item for plan in plans for _, item in plan.send][:DRY_RUN_SHOWN]
        for item in shown:
            console.print_json(orjson.dumps(_shown(item)).decode())
        total = sum(len(plan.send) for plan in plans)
        if total > len(shown):
            console.print(f"… and {total - len(shown)} more (--json prints them all)")
    return ok


def _shown(item: Any) -> dict[str, Any]:
    return {
        "feed": item.feed,
        "id": item.id,
        "version": item.version.text,
        "payload": redact(item.payload),
    }


def _print_table(
    console: Console,
    plans: list[FeedPlan],
    outcomes: list[Outcome],
    run: str | None,
    elapsed: float,
) -> None:
    title = f"resync {run}" if run else "resync (dry run: nothing sent)"
    table = Table("feed", "in topic", "selected", "unchanged", "to send", "result", title=title)
    by_feed = {o.feed: o for o in outcomes}
    for plan in plans:
        outcome = by_feed.get(plan.feed)
        result = ""
        if outcome:
            parts = [f"{n} {state}" for state, n in sorted(outcome.states.items())]
            if outcome.unconfirmed:
                parts.append(f"{outcome.unconfirmed} not confirmed yet (still queued)")
            result = ", ".join(parts) or "nothing to send"
        table.add_row(
            plan.feed,
            str(plan.items_in_topic),
            str(plan.selected),
            str(plan.unchanged),
            str(len(plan.send)),
            result,
        )
    console.print(table)
    missing = [f"{p.feed}: {', '.join(p.unmatched_ids)}" for p in plans if p.unmatched_ids]
    if missing:
        console.print(f"no item matched: {'; '.join(missing)}")
    console.print(f"{elapsed:.1f}s")


def present_letters(
    console: Console,
    letters: list[OpenLetter],
    redrives: list[RedriveReport],
    *,
    as_json: bool,
) -> None:
    """Dead letters: counts per status, class and error, one row per letter, then what
    the scheduled re-drive of each feed last did."""
    tally = counts(letters)
    if as_json:
        report = {
            "counts": tally,
            "letters": [view.summary() for view in letters],
            "redrive": {found.feed: asdict(found) for found in redrives},
        }
        console.print_json(orjson.dumps(report).decode())
        return
    summary = Table("status class error", "letters", title="dead letters")
    for key, count in tally.items():
        summary.add_row(key, str(count))
    console.print(summary)
    rows = Table(
        "feed",
        "offset",
        "status",
        "error",
        "http",
        "attempts",
        "last failure",
        "open items",
        "message",
    )
    for view in letters:
        letter = view.letter
        rows.add_row(
            view.feed,
            str(view.offset),
            letter.status.value,
            letter.error,
            str(letter.http_status or ""),
            str(letter.attempts),
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(letter.last_failure)),
            f"{len(view.open_items)}/{len(letter.items)}",
            letter.message[:80],
        )
    console.print(rows)
    if redrives:
        console.print(_redrive_table(redrives))


def _redrive_table(redrives: list[RedriveReport]) -> Table:
    table = Table(
        "feed",
        "last re-drive",
        "items",
        "answered",
        "failed again",
        "gave up",
        "since worker start: letters / items / answered / failed again / gave up",
        title="scheduled re-drive",
    )
    for found in redrives:
        last, total = found.last, found.total
        table.add_row(
            found.feed,
            _clock(found.last_at) if found.last_at else "never",
            str(last.items),
            str(last.answered),
            str(last.failed_again),
            str(last.gave_up),
            f"{total.letters} / {total.items} / {total.answered} / {total.failed_again} / "
            f"{total.gave_up} (since {_clock(found.since)})",
        )
    return table


def _clock(when: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when))


def present_letter(console: Console, view: OpenLetter, *, unredacted: bool) -> None:
    """One letter whole; payloads redacted unless asked."""
    data = orjson.loads(view.letter.to_record())
    if not unredacted:
        for item in data["items"]:
            item["payload"] = redact(item["payload"])
    data["offset"] = view.offset
    data["open_items"] = [item.id for item in view.open_items]
    console.print_json(orjson.dumps(data).decode())


def present_estimate(
    console: Console, found: list[FeedEstimate], *, rate: float, as_json: bool
) -> None:
    total_items = sum(e.items for e in found)
    feedsync_s = total_items / rate
    adobe_s = sum(e.adobe_s for e in found)
    if as_json:
        report = {
            "items_per_s": rate,
            "feeds": [e.summary() for e in found],
            "items": total_items,
            "feedsync_s": round(feedsync_s, 1),
            "adobe_s": adobe_s,
        }
        console.print_json(orjson.dumps(report).decode())
        return
    table = Table(
        "feed",
        "entities",
        "items",
        "per entity",
        "batch",
        "feedsync",
        "exporter formula",
        title=f"full sync estimate at {rate:,.0f} items/s",
    )
    for e in found:
        table.add_row(
            e.feed,
            f"{e.entities:,}",
            f"{e.items:,}",
            f"{e.items_per_entity:.1f}",
            str(e.batch_count),
            _duration(e.feedsync_s),
            _duration(e.adobe_s),
        )
    table.add_row("all", "", f"{total_items:,}", "", "", _duration(feedsync_s), _duration(adobe_s))
    console.print(table)
    console.print(
        "feedsync: items ÷ the rate (feeds go together); the exporter's formula: "
        "records ÷ batch * 0.5 s, one feed after another"
    )


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{seconds:.1f} s"


def present_snapshot_request(console: Console, request: SnapshotRequest, *, as_json: bool) -> None:
    if as_json:
        report = {
            "signal_id": request.signal_id,
            "tables": request.tables,
            "conditions": dict(request.conditions),
            "entities": request.entities,
        }
        console.print_json(orjson.dumps(report).decode())
        return
    what = "every entity" if request.entities is None else f"{request.entities} entities"
    console.print(f"incremental snapshot requested (signal {request.signal_id}): {what}")
    for table in request.tables:
        condition = request.conditions.get(table)
        console.print(f"  {table}" + (f" WHERE {condition}" if condition else ""))
    console.print("the worker builds them again as the rows arrive; changed items are sent")


def present_health(console: Console, found: Health, *, as_json: bool, clear: bool) -> None:
    if as_json:
        console.print_json(orjson.dumps(found.summary()).decode())
        return
    if clear:
        console.clear()
    states = [state.value for state in ItemState]
    table = Table(
        "feed",
        *states,
        "last delivered",
        "backlog",
        "last re-drive",
        "problems",
        title="healthy" if found.healthy else "NOT healthy",
    )
    for feed in found.feeds:
        last = (
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(feed.last_delivered))
            if feed.last_delivered
            else ""
        )
        backlog = ", ".join(
            f"{stage} {n} ({feed.behind_s.get(stage, 0.0):.0f} s behind)"
            for stage, n in feed.backlog.items()
            if n
        )
        redrive = feed.redrive
        redriven = (
            f"{_clock(redrive.last_at)}: {redrive.last.answered} answered, "
            f"{redrive.last.failed_again} failed again, {redrive.last.gave_up} gave up"
            if redrive and redrive.last_at
            else ""
        )
        table.add_row(
            feed.feed,
            *(str(feed.states.get(state, 0)) for state in states),
            last,
            backlog,
            redriven,
            "; ".join(feed.problems(found.max_lag)),
        )
    console.print(table)
    console.print(
        ", ".join(
            f"{stage} backlog {n} ({found.behind_s.get(stage, 0.0):.0f} s behind)"
            for stage, n in found.backlog.items()
        )
    )
