"""The ``feedsync`` command line: a thin shell over tested functions.

Every failure ends with what went wrong, what to do next and, for a stack component,
the log that holds its own account. Options show their environment variable.
"""

from __future__ import annotations

import ssl
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from feedsync.errors import ConfigError, FeedsyncError
from feedsync.settings import Settings, load_settings

app = typer.Typer(
    name="feedsync",
    help="Change-data-capture export of Magento data to connected services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
stack_app = typer.Typer(help="The local stack: MariaDB, Kafka, Kafka Connect + Debezium.")
connector_app = typer.Typer(help="The Debezium source connector.")
dlq_app = typer.Typer(help="Dead letters: list, show, replay, purge.", no_args_is_help=True)
app.add_typer(stack_app, name="stack")
app.add_typer(connector_app, name="connector")
app.add_typer(dlq_app, name="dlq")

console = Console()
errors = Console(stderr=True)

ProfileOption = Annotated[
    str,
    typer.Option(envvar="FEEDSYNC_SAMPLE_PROFILE", help="Sample-data profile: small or medium."),
]
SeedOption = Annotated[int, typer.Option(envvar="FEEDSYNC_SAMPLE_SEED", help="Sample-data seed.")]
DestinationOption = Annotated[
    str | None,
    typer.Option(
        "--destination",
        help="A destination named in FEEDSYNC_DELIVERY__DESTINATIONS (its own consumer "
        "group, status and dead letters); the primary one by default.",
    ),
]


def _settings(destination: str | None = None) -> Settings:
    """The settings, as the destination's worker sees them when one is named."""
    return load_settings().for_destination(destination)


def _every_feed(settings: Settings) -> list[str]:
    """What "every feed" means to status and the dashboard: a destination's feeds (its
    include), else all."""
    if settings.streams.delivers_only and settings.streams.feeds:
        return list(settings.streams.feeds)
    return ["all"]


@stack_app.command("up")
def stack_up(
    profile: ProfileOption = "small",
    seed: SeedOption = 42,
    pipeline: Annotated[
        bool, typer.Option(help="Also start the reference receiver and a worker.")
    ] = True,
) -> None:
    """Install what is missing, start everything and register the connector (idempotent)."""
    from feedsync.stack import up

    up(load_settings(), profile=profile, seed=seed, say=console.print, pipeline=pipeline)


@stack_app.command("status")
def stack_status() -> None:
    """Report each component, including the connector's task state."""
    from feedsync.stack import status

    report = status(load_settings())
    table = Table("component", "state")
    for name, line in report.lines():
        table.add_row(name, line)
    console.print(table)
    if not report.healthy:
        raise typer.Exit(1)


@stack_app.command("kafka-user")
def stack_kafka_user(
    name: Annotated[str, typer.Argument(help="The SCRAM user name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            envvar="FEEDSYNC_STACK_KAFKA_USER_PASSWORD",
            show_default=False,
            help="Its password (asked when not given; never echoed).",
        ),
    ],
) -> None:
    """Create or update a SCRAM user of the stack's SASL_SSL listener (both SHA-256 and
    SHA-512); clients then set FEEDSYNC_KAFKA__SECURITY_PROTOCOL=SASL_SSL, the listener's
    address, the user and FEEDSYNC_KAFKA__SSL_CAFILE=.state/kafka/tls/ca.pem."""
    from feedsync.stack.orchestrate import Stack

    stack = Stack.of(load_settings())
    stack.kafka.add_scram_user(name, password)
    console.print(
        f"SCRAM user {name!r} ready on 127.0.0.1:{stack.settings.kafka.secure_port} "
        f"(SASL_SSL); CA: {stack.kafka.tls_dir / 'ca.pem'}"
    )


@stack_app.command("down")
def stack_down() -> None:
    """Stop every component; state is kept for the next `up`."""
    from feedsync.stack import down

    down(load_settings(), say=console.print)


@stack_app.command("clean")
def stack_clean(
    cache: Annotated[bool, typer.Option(help="Also delete the downloaded jars.")] = False,
) -> None:
    """Stop everything and delete all state (the database, topics, logs)."""
    from feedsync.stack import clean

    clean(load_settings(), say=console.print, cache=cache)


@connector_app.command("register")
def connector_register() -> None:
    """Create or update the Debezium connector and wait until its task runs."""
    from connectors.debezium import register_connector
    from feedsync.stack.layout import Layout

    settings = load_settings()
    state = register_connector(
        settings,
        timeout_s=settings.stack.start_timeout_s,
        connect_log=str(Layout.of(settings).log("connect")),
    )
    console.print(f"{settings.connect.connector_name}: {state.describe()}")


@connector_app.command("snapshot")
def connector_snapshot(
    table: Annotated[list[str], typer.Option("--table", help="A captured table (repeatable).")],
    where: Annotated[str | None, typer.Option(help="Restrict the rows: a SQL condition.")] = None,
) -> None:
    """Ask Debezium for an incremental snapshot of tables (through the signal table)."""
    from connectors.database import connect
    from connectors.debezium import request_incremental_snapshot

    settings = load_settings()
    with connect(settings) as connection:
        signal_id = request_incremental_snapshot(connection, settings, table, condition=where)
    console.print(f"incremental snapshot requested: signal {signal_id}")


@app.command("worker")
def worker(
    loglevel: Annotated[str, typer.Option(help="Log level: debug, info, warn, error.")] = "info",
    dashboard: Annotated[
        bool,
        typer.Option(help="Also serve the ops dashboard (FEEDSYNC_DASHBOARD__*) from it."),
    ] = False,
    destination: DestinationOption = None,
) -> None:
    """Run a stream worker: decode, project and deliver every feed until stopped.

    With --destination, a destination's worker: it delivers the pipeline's items to that
    destination (its own consumer group, from the items topics' start the first time).
    """
    from streams.app import run_worker

    settings = _settings(destination)
    if dashboard:
        from feedsync.dashboard.server import serve_in_background
        from feedsync.ops.resync import feeds_named

        own = f"http://{settings.metrics.host}:{settings.metrics.port}/metrics"
        urls = settings.dashboard.metrics_urls or [own]
        serve_in_background(settings, feeds_named(_every_feed(settings)), urls)
    run_worker(settings, loglevel=loglevel)


@app.command("verify")
def verify(
    feed: Annotated[str, typer.Option(help="The feed to check, e.g. products.")],
    examples: Annotated[int, typer.Option(help="How many examples to show per kind.")] = 10,
) -> None:
    """Compare an independent SQL projection of a feed with what the receiver holds.

    Exits 1 on any missing, stale or extra item.
    """
    from feedsync.verify import run

    report = run(load_settings(), feed, examples=examples)
    console.print(report.render(), markup=False, highlight=False)
    if not report.clean:
        raise typer.Exit(1)


@app.command("resync")
def resync(  # noqa: PLR0917 -- Typer maps each option to a parameter
    feed: Annotated[
        list[str], typer.Option("--feed", help="A feed to resync (repeatable), or all.")
    ],
    by_ids: Annotated[
        str | None, typer.Option("--by-ids", help="Only these items: comma-separated ids.")
    ] = None,
    id_type: Annotated[
        str, typer.Option(help="The payload field --by-ids names (sku, productId, itemId...).")
    ] = "sku",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print, redacted, what would be sent; send nothing.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(help="Send even items the endpoint has (after it lost its data)."),
    ] = False,
    continue_run: Annotated[
        bool, typer.Option("--continue", help="Continue the interrupted resync of these feeds.")
    ] = False,
    from_source: Annotated[
        bool,
        typer.Option(
            "--from-source",
            help="Have Debezium read the entities again from the database (incremental "
            "snapshot) instead of replaying the items topic.",
        ),
    ] = False,
    timeout: Annotated[
        float, typer.Option(help="Seconds to follow the deliveries before reporting.")
    ] = 600,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON report.")] = False,
    destination: DestinationOption = None,
) -> None:
    """Send a feed's current items again from its items topic (no database query).

    Items the endpoint already answered for are skipped unless --force; a version older
    than one delivered is never sent. Exits 1 if an item ended in a dead letter or was
    not confirmed in time.
    """
    from feedsync.ops.present import present_resync, present_snapshot_request
    from feedsync.ops.resync import ResyncOptions, feeds_named

    ids = [i.strip() for i in by_ids.split(",") if i.strip()] if by_ids else None
    if from_source:
        if destination is not None:
            raise ConfigError(
                "--from-source has the pipeline read the entities again: every destination "
                "gets what changed, so it takes no --destination",
                hint="resync one destination by topic replay (leave out --from-source)",
            )
        if dry_run or force or continue_run:
            raise ConfigError(
                "--from-source reads the database again: it takes no --dry-run, --force or "
                "--continue",
                hint="resync by topic replay for those (leave out --from-source)",
            )
        from feedsync.ops.from_source import request_from_source

        request = request_from_source(load_settings(), feeds_named(feed), ids=ids, id_type=id_type)
        present_snapshot_request(console, request, as_json=as_json)
        return
    options = ResyncOptions(
        ids=ids,
        id_type=id_type,
        dry_run=dry_run,
        force=force,
        continue_run=continue_run,
        timeout_s=timeout,
    )
    settings = _settings(destination)
    if not present_resync(settings, feeds_named(feed), options, console, as_json=as_json):
        raise typer.Exit(1)


@app.command("status")
def status(
    feed: Annotated[
        list[str] | None, typer.Option("--feed", help="A feed (repeatable); all by default.")
    ] = None,
    max_lag: Annotated[
        int, typer.Option(help="A backlog past this many messages is unhealthy.")
    ] = 1000,
    watch: Annotated[
        float | None, typer.Option(help="Refresh every this many seconds until Ctrl-C.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    destination: DestinationOption = None,
) -> None:
    """Each feed's delivery states and every stage's backlog, from Kafka.

    Exits 1 when a feed is paused, holds items needing attention, or lags past --max-lag:
    usable as a health check.
    """
    from feedsync.ops.health import health
    from feedsync.ops.present import present_health
    from feedsync.ops.resync import feeds_named

    settings = _settings(destination)
    feeds = feeds_named(feed or _every_feed(settings))
    while True:
        found = health(settings, feeds, max_lag=max_lag)
        present_health(console, found, as_json=as_json, clear=watch is not None)
        if watch is None:
            break
        time.sleep(watch)  # the refresh interval the operator asked for
    if not found.healthy:
        raise typer.Exit(1)


@app.command("dashboard")
def dashboard(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (FEEDSYNC_DASHBOARD__HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (FEEDSYNC_DASHBOARD__PORT).")] = None,
    metrics: Annotated[
        list[str] | None,
        typer.Option("--metrics", help="A worker's /metrics URL (repeatable)."),
    ] = None,
    destination: DestinationOption = None,
) -> None:
    """The ops dashboard: per-feed status, health, charts, item search, resync and replay."""
    from feedsync.dashboard.server import serve
    from feedsync.ops.resync import feeds_named

    settings = _settings(destination)
    chosen = {"host": host, "port": port, "metrics_urls": metrics}
    overrides = {key: value for key, value in chosen.items() if value}
    if overrides:
        config = settings.dashboard.model_copy(update=overrides)
        settings = settings.model_copy(update={"dashboard": config})
    urls = settings.dashboard.metrics_urls or [
        f"http://{settings.metrics.host}:{settings.metrics.port}/metrics"
    ]
    console.print(f"dashboard on http://{settings.dashboard.host}:{settings.dashboard.port}/")
    serve(settings, feeds_named(_every_feed(settings)), urls)


@app.command("estimate")
def estimate(
    feed: Annotated[
        list[str] | None, typer.Option("--feed", help="A feed (repeatable); all by default.")
    ] = None,
    rate: Annotated[
        float, typer.Option(help="Items per second a full sync reaches here (bench/RESULTS.md).")
    ] = 353.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Count each feed's source entities and items in the database and time a full sync,
    beside the replaced exporter's formula (records ÷ batch * 0.5 s)."""
    from feedsync.ops.estimate import estimate as run_estimate
    from feedsync.ops.present import present_estimate
    from feedsync.ops.resync import feeds_named

    found = run_estimate(load_settings(), feeds_named(feed or ["all"]), items_per_s=rate)
    present_estimate(console, found, rate=rate, as_json=as_json)


DlqFeeds = Annotated[list[str], typer.Option("--feed", help="A feed (repeatable), all, or source.")]
StatusOption = Annotated[
    str | None, typer.Option("--status", help="will_retry or needs_attention.")
]
SinceOption = Annotated[
    str | None, typer.Option(help="Last failure at or after: ISO 8601 or epoch seconds.")
]
UntilOption = Annotated[
    str | None, typer.Option(help="Last failure at or before: ISO 8601 or epoch seconds.")
]
IdsOption = Annotated[
    str | None, typer.Option("--ids", help="Only letters holding these item ids or SKUs.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _letter_filter(
    status: str | None, since: str | None, until: str | None, ids: str | None
) -> Any:
    from feedsync.ops.dlq import LetterFilter, parse_time
    from streams.letters import DeadLetterStatus

    try:
        wanted = DeadLetterStatus(status) if status else None
    except ValueError:
        raise ConfigError(
            f"--status {status}: not a dead-letter status",
            hint=f"use one of: {', '.join(s.value for s in DeadLetterStatus)}",
        ) from None
    return LetterFilter(
        status=wanted,
        since=parse_time(since),
        until=parse_time(until),
        ids=frozenset(i.strip() for i in ids.split(",") if i.strip()) if ids else None,
    )


def _dlq_feeds(feed: list[str]) -> list[str]:
    from feedsync.ops.resync import feeds_named
    from streams.letters import SOURCE_DLQ

    named = [f for f in feed if f != SOURCE_DLQ]
    chosen = [f.name for f in feeds_named(named)] if named else []
    return [*chosen, SOURCE_DLQ] if SOURCE_DLQ in feed or "all" in feed else chosen


@dlq_app.command("list")
def dlq_list(  # noqa: PLR0917 -- Typer maps each option to a parameter
    feed: DlqFeeds,
    status: StatusOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    ids: IdsOption = None,
    include_closed: Annotated[
        bool, typer.Option("--all", help="Also letters whose items went out since.")
    ] = False,
    as_json: JsonOption = False,
    destination: DestinationOption = None,
) -> None:
    """Open dead letters (items not delivered since), with counts per error class."""
    from feedsync.ops.dlq import read_letters, read_redrive_reports
    from feedsync.ops.present import present_letters
    from feedsync.ops.statuses import read_all_statuses
    from feedsync.ops.topics import consumer

    settings = _settings(destination)
    letter_filter = _letter_filter(status, since, until, ids)
    names = _dlq_feeds(feed)
    with consumer(settings.kafka) as reader:
        reports = read_redrive_reports(reader, settings)
        statuses = read_all_statuses(reader, settings, set(names))  # one read for every feed
        letters = [
            view
            for name in names
            for view in read_letters(
                reader,
                settings,
                name,
                letter_filter,
                include_closed=include_closed,
                statuses=statuses.get(name, {}),
            )
        ]
    redrives = [reports[name] for name in names if name in reports]
    present_letters(console, letters, redrives, as_json=as_json)


@dlq_app.command("show")
def dlq_show(
    feed: Annotated[str, typer.Option("--feed", help="The feed, or source.")],
    offset: Annotated[int, typer.Argument(help="The letter's offset (dlq list shows it).")],
    unredacted: Annotated[
        bool, typer.Option(help="Show personal data in payloads as it is.")
    ] = False,
    destination: DestinationOption = None,
) -> None:
    """One dead letter whole: error, response, coordinates, items (payloads redacted)."""
    from feedsync.ops.dlq import LetterFilter, read_letters
    from feedsync.ops.present import present_letter
    from feedsync.ops.topics import consumer

    settings = _settings(destination)
    with consumer(settings.kafka) as reader:
        letters = read_letters(reader, settings, feed, LetterFilter(), include_closed=True)
    found = [view for view in letters if view.offset == offset]
    if not found:
        raise ConfigError(
            f"no dead letter at offset {offset} of feed {feed}",
            hint=f"feedsync dlq list --feed {feed} --all shows the offsets",
        )
    present_letter(console, found[0], unredacted=unredacted)


@dlq_app.command("replay")
def dlq_replay(  # noqa: PLR0917 -- Typer maps each option to a parameter
    feed: DlqFeeds,
    status: StatusOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    ids: IdsOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would go.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to follow the deliveries.")] = 600,
    as_json: JsonOption = False,
    destination: DestinationOption = None,
) -> None:
    """Send the open letters' items again through the worker (never over a newer version).

    Exits 1 if an item failed again or was not confirmed in time.
    """
    from feedsync.ops.dlq import replay
    from feedsync.ops.present import present_sending
    from feedsync.ops.resync import ResyncOptions, feeds_named

    settings = _settings(destination)
    feeds = feeds_named(feed)
    letter_filter = _letter_filter(status, since, until, ids)
    options = ResyncOptions(force=True, dry_run=dry_run, timeout_s=timeout)
    ok = present_sending(
        console,
        options,
        lambda hooks: replay(
            settings, feeds, letter_filter, options, progress=hooks.progress, planned=hooks.planned
        ),
        as_json=as_json,
    )
    if not ok:
        raise typer.Exit(1)


@dlq_app.command("purge")
def dlq_purge(
    feed: Annotated[str, typer.Option("--feed", help="The feed, or source.")],
    until: UntilOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    destination: DestinationOption = None,
) -> None:
    """Delete a feed's dead letters up to a time (all of them without --until)."""
    from feedsync.ops.dlq import parse_time, purge

    settings = _settings(destination)
    what = f"dead letters of {feed} up to {until}" if until else f"every dead letter of {feed}"
    if not yes and not typer.confirm(f"Delete {what}?"):
        raise typer.Exit(1)
    deleted = purge(settings, feed, parse_time(until))
    console.print(f"deleted {deleted} records of {feed}'s dead-letter topic")


@app.command("receive")
def receive(
    port: Annotated[
        int | None, typer.Option(help="Port to listen on [env FEEDSYNC_RECEIVER__PORT, 8900]")
    ] = None,
) -> None:
    """Run the reference ingestion endpoint (gzip JSON batches, auth, fault injection)."""
    from aiohttp import web

    from feedsync.listen import check_bind
    from feedsync.receiver import ReceiverConfig, build_app

    settings = load_settings().receiver
    token = settings.bearer_token.get_secret_value() if settings.bearer_token else None
    check_bind(settings.host, token, server="receiver", setting="FEEDSYNC_RECEIVER__BEARER_TOKEN")
    config = ReceiverConfig(
        db_path=settings.db_path,
        bearer_token=settings.bearer_token,
        webhook_secret=settings.webhook_secret,
        max_body_bytes=settings.max_body_bytes,
        dedupe_by_key=settings.dedupe_by_key,
    )
    listen = port or settings.port
    tls = _receiver_tls(settings.tls_cert, settings.tls_key)
    scheme = "https" if tls else "http"
    console.print(f"feedsync receiver on {scheme}://{settings.host}:{listen}/feeds/<feed>")
    console.print(f"items kept in {settings.db_path}")
    web.run_app(build_app(config), host=settings.host, port=listen, ssl_context=tls, print=None)


def _receiver_tls(cert: Path | None, key: Path | None) -> ssl.SSLContext | None:
    """The receiver's TLS context, from FEEDSYNC_RECEIVER__TLS_CERT and __TLS_KEY (both or
    neither)."""
    if cert is None and key is None:
        return None
    if cert is None or key is None or not cert.is_file() or not key.is_file():
        raise ConfigError(
            "the receiver serves https with both FEEDSYNC_RECEIVER__TLS_CERT and __TLS_KEY",
            hint="point both at PEM files (the certificate chain, and its private key)",
        )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context


def main() -> None:
    """Entry point of the console script."""
    try:
        app()
    except ConfigError as exc:
        errors.print(f"feedsync: {exc}", style="red", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
    except FeedsyncError as exc:
        errors.print(f"feedsync: {exc}", style="red", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        errors.print("feedsync: interrupted (a resync continues with --continue)", style="red")
        sys.exit(130)
