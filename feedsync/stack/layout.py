"""Where the local stack keeps its state, its logs and its cached downloads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from feedsync.settings import REPO_ROOT, Settings

DEPLOY_LOCAL = REPO_ROOT / "deploy" / "local"
POM = REPO_ROOT / "deploy" / "pom.xml"


@dataclass(frozen=True)
class Layout:
    """All paths of one local stack: state under ``state``, downloads under ``cache``."""

    state: Path
    cache: Path

    @classmethod
    def of(cls, settings: Settings) -> Layout:
        return cls(state=settings.stack.state_dir.resolve(), cache=settings.stack.cache_dir)

    @property
    def run(self) -> Path:
        return self.state / "run"

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    def component(self, name: str) -> Path:
        path = self.state / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def log(self, name: str) -> Path:
        self.logs.mkdir(parents=True, exist_ok=True)
        return self.logs / f"{name}.log"

    @property
    def jars(self) -> Path:
        return self.cache / "jars"

    @property
    def maven_repo(self) -> Path:
        return self.cache / "m2"
