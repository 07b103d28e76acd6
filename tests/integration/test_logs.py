"""The worker's logs after the operator tests ran on it: every line of the main log is a
JSON object, and the errors-only log holds exactly its warnings and errors."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.integration.pipeline import Pipeline

pytestmark = pytest.mark.integration


def test_every_line_is_json_and_the_errors_log_holds_only_warnings_and_errors(
    ops_pipeline: Pipeline,
) -> None:
    main = entries(ops_pipeline.worker.log_path)
    assert main, "the worker logged nothing"
    errors = entries(Path(ops_pipeline.worker.env["FEEDSYNC_LOG_ERRORS_FILE"]))
    assert {entry["level"] for entry in errors} <= {"warning", "error", "critical"}
    serious = [(e["ts"], e["message"]) for e in main if e["level"] in {"warning", "error"}]
    # Read after the main log: it may hold lines logged in between, at its end.
    assert [(e["ts"], e["message"]) for e in errors][: len(serious)] == serious


def entries(path: Path) -> list[dict[str, object]]:
    """Every complete line as JSON (the worker runs on: its last line may be half written)."""
    text = path.read_text() if path.exists() else ""
    lines = text.splitlines()
    if text and not text.endswith("\n"):
        lines = lines[:-1]
    return [orjson.loads(line) for line in lines if line.strip()]
