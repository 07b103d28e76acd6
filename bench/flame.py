"""A flame graph's summary: where a worker's samples sit, from py-spy's raw (collapsed) file.

    .venv/bin/python bench/flame.py worker.pyspy.txt [--top 25]

Three tables. *Self time by owner*: each sample goes to the library whose code was running
(its innermost frame): feedsync's own code, faust, mode, aiokafka, asyncio, the interpreter
idle in the selector. *Stage on the stack*: each sample goes to the outermost feedsync
function on its stack (``streams/app:run_worker`` is faust's own loop: consumer, producer,
tables), which says on whose behalf the framework time was spent. Then the innermost
functions by self time.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*?) \((?P<path>[^()]*?)(?::(?P<line>\d+))?\)$")
OWNERS = (  # first match wins, on the frame's path
    ("feedsync", ("/streams/", "/feeds/", "/connectors/", "/feedsync/")),
    ("faust", ("/faust/",)),
    ("mode", ("/mode/",)),
    ("aiokafka", ("/aiokafka/",)),
    ("kafka-python", ("/kafka/",)),
    ("asyncio", ("/asyncio/",)),
    ("orjson / httpx / h11", ("/orjson", "/httpx/", "/httpcore/", "/h11/")),
)


def spy_on(pid: int, raw: Path, *, rate: int = 100) -> subprocess.Popen[bytes]:
    """Start py-spy sampling ``pid`` into ``raw`` (``pip install py-spy``; not a dependency
    of feedsync). ``--nonblocking``: the worker is not paused to be sampled. Stop it with
    SIGINT, and it writes the file."""
    spy = str(Path(sys.executable).with_name("py-spy"))
    command = [spy, "record", "--nonblocking", "--format", "raw", "--rate", str(rate)]
    command += ["--pid", str(pid), "--output", str(raw)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def frames(stack: str) -> list[tuple[str, str]]:
    """(function, path) of each frame of one collapsed stack, outermost first."""
    found = []
    for part in stack.split(";"):
        match = FRAME.match(part.strip())
        if match:
            found.append((match["function"], match["path"]))
    return found


def owner(function: str, path: str) -> str:
    if path.endswith("selectors.py") and function.endswith(("select", "poll")):
        return "idle (selector)"
    rooted = "/" + path  # py-spy gives paths relative to sys.path entries
    for name, markers in OWNERS:
        if any(marker in rooted for marker in markers):
            return name
    return "other (stdlib, interpreter)"


def stage(stack: list[tuple[str, str]]) -> str:
    """The outermost ``streams/`` frame on the stack other than the app's wiring, as
    ``module:function``."""
    named = [
        ("streams/" + rooted.rsplit("/streams/", 1)[1].removesuffix(".py"), function)
        for function, rooted in ((f, "/" + p) for f, p in stack)
        if "/streams/" in rooted
    ]
    chosen = [frame for frame in named if frame[0] != "streams/app"] or named
    return f"{chosen[0][0]}:{chosen[0][1]}" if chosen else "(no feedsync frame)"


def summarise(raw: Path, top: int = 25) -> str:
    by_owner: Counter[str] = Counter()
    by_stage: Counter[str] = Counter()
    by_leaf: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count, stack = int(count_text), frames(stack_text)
        if not stack:
            continue
        function, path = stack[-1]
        by_owner[owner(function, path)] += count
        by_stage[stage(stack)] += count
        by_leaf[f"{function} ({path.rsplit('site-packages/', 1)[-1]})"] += count
    total = sum(by_owner.values()) or 1
    lines = [f"{total:,} samples", "", "| self time by owner | samples | share |", "|---|---|---|"]
    lines += [f"| {k} | {v:,} | {v / total:.1%} |" for k, v in by_owner.most_common()]
    lines += ["", "| stage on the stack | samples | share |", "|---|---|---|"]
    lines += [f"| {k} | {v:,} | {v / total:.1%} |" for k, v in by_stage.most_common(top)]
    lines += ["", "| innermost function | samples | share |", "|---|---|---|"]
    lines += [f"| {k} | {v:,} | {v / total:.1%} |" for k, v in by_leaf.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("raw", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(summarise(args.raw, args.top))


if __name__ == "__main__":
    main()
