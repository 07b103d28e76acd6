"""What the operator commands print: a progress bar while they run, then a table, or JSON
for scripts. Payloads are printed redacted (feedsync.logs.redact)."""

from __future__ import annotations

import time
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
from feedsync.ops.resync import FeedPlan, Outcome, ResyncOptions, resync
from feedsync.settings import Settings

__all__ = ["present_resync"]

DRY_RUN_SHOWN = 20  # payloads printed by a dry run without --json


def present_resync(
    settings: Settings,
    feeds: list[Feed],
    options: ResyncOptions,
    console: Console,
    *,
    as_json: bool,
) -> bool:
    """Run a resync and print it; False when an item failed or was not confirmed."""
    began = time.monotonic()
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=as_json or options.dry_run,
    )
    tasks: dict[str, TaskID] = {}

    def planned(plan: FeedPlan) -> None:
        tasks[plan.feed] = bar.add_task(plan.feed, total=len(plan.send), rate="")

    def progress(feed: str, done: int, total: int) -> None:
        task = bar.tasks[tasks[feed]]
        rate = f"{task.speed:,.0f} items/s" if task.speed else ""
        bar.update(tasks[feed], completed=done, total=total, rate=rate)

    with bar:
        run, plans, outcomes = resync(settings, feeds, options, progress=progress, planned=planned)
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
