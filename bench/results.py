"""``bench/results.json``: the headline figures of issue #13, each with when and on which
commit it was measured. Each benchmark updates the keys it measures and leaves the others,
so the file always holds the newest figure of each; a key no run has measured is absent."""

from __future__ import annotations

import datetime
import json
import subprocess
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results.json")
_OUTPUTS = tuple(
    f":(top,exclude)bench/{name}" for name in ("results.json", "RESULTS.md", "speed.png")
)


def load_results() -> dict[str, Any]:
    """key → figure, as last written."""
    if not RESULTS.exists():
        return {}
    figures: dict[str, Any] = json.loads(RESULTS.read_text())["figures"]
    return {key: entry["value"] for key, entry in figures.items()}


def update_results(**values: float | str) -> None:
    """Write ``values`` under their keys, stamped with today's date and the commit."""
    document: dict[str, Any] = (
        json.loads(RESULTS.read_text()) if RESULTS.exists() else {"figures": {}}
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        # The benchmarks' own outputs are not the code measured: a run that wrote one
        # figure is still a run of its commit.
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ":(top)", *_OUTPUTS],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    stamp = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%MZ"),
        "commit": commit + ("+changes" if dirty else ""),
    }
    for key, value in values.items():
        document["figures"][key] = {"value": value, **stamp}
    document["date"], document["commit"] = stamp["date"], stamp["commit"]
    RESULTS.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
