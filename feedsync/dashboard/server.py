"""The dashboard's web server (aiohttp): one static page and a small JSON API.

- ``GET /`` the page (``static/``): it polls ``/api/overview`` and draws the tables and
  charts in the browser;
- ``GET /api/overview`` the latest look at everything (collect.py), refreshed in the
  background every ``refresh_s`` whoever is watching, so that a page load never waits
  for Kafka;
- ``GET /api/items?q=`` item search by id or SKU across feeds (feedsync/ops/search.py);
- ``POST /api/resync`` ``{"feed": F, "ids": [...]?, "id_type": "sku"?}`` and
  ``POST /api/dlq/replay`` ``{"feed": F}``: the same code as ``feedsync resync --force`` and
  ``feedsync dlq replay``.

It listens on 127.0.0.1 unless told otherwise, and refuses another address without a
token (``FEEDSYNC_DASHBOARD__TOKEN``); with a token, every API call must carry it
(``Authorization: Bearer``, or the cookie the page sets when opened with ``?token=``).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from feeds.feed import Feed
from feedsync import listen
from feedsync.dashboard.collect import MetricsHistory, Overview, SourceCounts, collect
from feedsync.errors import ConfigError, FeedsyncError
from feedsync.ops.dlq import LetterFilter, replay
from feedsync.ops.resync import ResyncOptions, feeds_named, resync
from feedsync.ops.search import search_items
from feedsync.ops.topics import consumer
from feedsync.settings import Settings

__all__ = ["build_app", "check_bind", "serve", "serve_in_background"]

log = logging.getLogger("feedsync.dashboard")
STATIC = Path(__file__).parent / "static"
COOKIE = "feedsync_dashboard_token"
ACTION_TIMEOUT_S = 120.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def check_bind(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a token."""
    listen.check_bind(host, token, server="dashboard", setting="FEEDSYNC_DASHBOARD__TOKEN")


class Dashboard:
    def __init__(self, settings: Settings, feeds: list[Feed], metrics_urls: list[str]) -> None:
        self.settings = settings
        self.feeds = feeds
        self.history = MetricsHistory(metrics_urls)
        self.source = SourceCounts()
        self.overview: Overview | None = None
        self.refreshed = asyncio.Event()
        token = settings.dashboard.token
        self.token = token.get_secret_value() if token else None

    async def refresh_forever(self) -> None:
        while True:
            try:
                self.overview = await asyncio.to_thread(
                    collect, self.settings, self.feeds, self.history, self.source
                )
                self.refreshed.set()
            except Exception:
                log.exception("dashboard: collecting the overview failed")
            await asyncio.sleep(self.settings.dashboard.refresh_s)

    # ---- requests ---------------------------------------------------------------------

    @web.middleware
    async def authorise(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.token is None:
            return await handler(request)
        offered = request.query.get("token") or request.cookies.get(COOKIE) or ""
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            offered = header[len("Bearer ") :]
        if not hmac.compare_digest(offered.encode(), self.token.encode()):
            return web.json_response({"error": "a token is needed"}, status=401)
        response = await handler(request)
        if "token" in request.query:
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
        return response

    async def page(self, _request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html")

    async def overview_json(self, _request: web.Request) -> web.StreamResponse:
        if self.overview is None:
            await asyncio.wait_for(self.refreshed.wait(), timeout=60)
        assert self.overview is not None
        return _json(self.overview.to_json())

    async def items(self, request: web.Request) -> web.StreamResponse:
        query = request.query.get("q", "")

        def find() -> list[dict[str, Any]]:
            with consumer(self.settings.kafka) as reader:
                found = search_items(reader, self.settings, self.feeds, query)
            return [entry.summary() for entry in found]

        return _json({"query": query, "items": await asyncio.to_thread(find)})

    async def resync_action(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        feeds = feeds_named([str(body["feed"])])
        ids = body.get("ids")
        options = ResyncOptions(
            ids=[str(i) for i in ids] if ids else None,
            id_type=str(body.get("id_type") or "sku"),
            force=True,
            timeout_s=ACTION_TIMEOUT_S,
        )
        run, plans, outcomes = await asyncio.to_thread(resync, self.settings, feeds, options)
        return _json(_action_report(run, plans, outcomes))

    async def replay_action(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        feeds = feeds_named([str(body["feed"])])
        options = ResyncOptions(force=True, timeout_s=ACTION_TIMEOUT_S)
        run, plans, outcomes = await asyncio.to_thread(
            replay, self.settings, feeds, LetterFilter(), options
        )
        return _json(_action_report(run, plans, outcomes))


@web.middleware
async def errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An operator's mistake or a failing action answers with what to fix, not a trace."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except FeedsyncError as exc:
        status = 400 if isinstance(exc, ConfigError) else 503
        return web.json_response({"error": exc.message, "hint": exc.hint}, status=status)
    except (KeyError, ValueError) as exc:
        return web.json_response({"error": f"bad request: {exc}"}, status=400)


def _json(data: Any) -> web.Response:
    return web.Response(body=orjson.dumps(data), content_type="application/json")


async def _body(request: web.Request) -> dict[str, Any]:
    data = orjson.loads(await request.read() or b"{}")
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def _action_report(run: str | None, plans: list[Any], outcomes: list[Any]) -> dict[str, Any]:
    by_feed = {outcome.feed: outcome for outcome in outcomes}
    return {
        "run": run,
        "feeds": [
            {**plan.summary(), **(by_feed[plan.feed].summary() if plan.feed in by_feed else {})}
            for plan in plans
        ],
    }


def build_app(settings: Settings, feeds: list[Feed], metrics_urls: list[str]) -> web.Application:
    dashboard = Dashboard(settings, feeds, metrics_urls)
    app = web.Application(middlewares=[errors_as_json, dashboard.authorise])
    app.router.add_get("/", dashboard.page)
    app.router.add_get("/api/overview", dashboard.overview_json)
    app.router.add_get("/api/items", dashboard.items)
    app.router.add_post("/api/resync", dashboard.resync_action)
    app.router.add_post("/api/dlq/replay", dashboard.replay_action)
    app.router.add_static("/static/", STATIC)

    async def refresher(_app: web.Application) -> Any:
        task = asyncio.create_task(dashboard.refresh_forever())
        yield
        task.cancel()

    app.cleanup_ctx.append(refresher)
    return app


def serve(settings: Settings, feeds: list[Feed], metrics_urls: list[str]) -> None:
    """Run the dashboard until stopped."""
    config = settings.dashboard
    check_bind(config.host, config.token.get_secret_value() if config.token else None)
    app = build_app(settings, feeds, metrics_urls)
    log.info("dashboard on http://%s:%d/", config.host, config.port)
    web.run_app(app, host=config.host, port=config.port, print=None)


def serve_in_background(
    settings: Settings, feeds: list[Feed], metrics_urls: list[str]
) -> threading.Thread:
    """The dashboard in a thread of its own, with its own event loop (``feedsync worker
    --dashboard``: the worker's loop is faust's)."""
    config = settings.dashboard
    check_bind(config.host, config.token.get_secret_value() if config.token else None)

    async def run() -> None:
        runner = web.AppRunner(build_app(settings, feeds, metrics_urls))
        await runner.setup()
        await web.TCPSite(runner, config.host, config.port).start()
        log.info("dashboard on http://%s:%d/", config.host, config.port)
        await asyncio.Event().wait()  # until the process ends

    thread = threading.Thread(target=asyncio.run, args=(run(),), name="dashboard", daemon=True)
    thread.start()
    return thread
