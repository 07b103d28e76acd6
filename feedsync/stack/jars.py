"""Java, and the Kafka / Connect / Debezium jars resolved from Maven Central into a cache.

``deploy/pom.xml`` is the one list of what the stack runs. Maven copies the Kafka
runtime into ``<cache>/jars/lib`` and unpacks Debezium's connector plugin archive into
``<cache>/jars/plugins``. A stamp holding the pom's digest lets a second run skip
Maven entirely, so it downloads nothing and starts nothing but the JVMs.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

from feedsync.errors import StackError
from feedsync.settings import Settings
from feedsync.stack.layout import POM, Layout

MIN_JAVA = 17
_JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


def check_java(java: str) -> int:
    """Return the major version of ``java``; fail naming the setting if it is missing or old."""
    binary = shutil.which(java)
    if binary is None:
        raise StackError(
            f"Java was not found: {java!r} is not an executable on PATH",
            hint="install a JDK 17+ (`apt-get install -y openjdk-17-jdk-headless`) "
            "or set FEEDSYNC_STACK__JAVA to its java binary",
        )
    result = subprocess.run(
        [binary, "-version"], capture_output=True, text=True, timeout=30, check=False
    )
    match = _JAVA_VERSION.search(result.stderr + result.stdout)
    if result.returncode != 0 or match is None:
        raise StackError(
            f"{binary} -version failed: {(result.stderr or result.stdout).strip()[:300]}",
            hint="set FEEDSYNC_STACK__JAVA to a working Java 17+ binary",
        )
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8.0" style
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise StackError(
            f"{binary} is Java {major}; Kafka 4 and Connect need Java {MIN_JAVA}+",
            hint="set FEEDSYNC_STACK__JAVA to a Java 17+ binary",
        )
    return major


class Jars:
    """The resolved jar folders, fetched once into the cache."""

    def __init__(self, settings: Settings, layout: Layout) -> None:
        self.settings = settings
        self.layout = layout
        self.log = layout.log("maven")

    @property
    def lib(self) -> Path:
        return self.layout.jars / "lib"

    @property
    def plugins(self) -> Path:
        return self.layout.jars / "plugins"

    @property
    def classpath(self) -> str:
        return str(self.lib / "*")

    @property
    def _stamp(self) -> Path:
        return self.layout.jars / ".resolved"

    def _digest(self) -> str:
        return hashlib.sha256(POM.read_bytes()).hexdigest()

    def resolved(self) -> bool:
        return self._stamp.is_file() and self._stamp.read_text() == self._digest()

    def resolve(self) -> bool:
        """Resolve the jars unless the cache already holds them. True if Maven ran."""
        if self.resolved():
            return False
        maven = shutil.which(self.settings.stack.maven)
        if maven is None:
            raise StackError(
                f"Maven was not found: {self.settings.stack.maven!r} is not on PATH",
                hint="install it (`apt-get install -y maven`) or set FEEDSYNC_STACK__MAVEN",
            )
        if self.layout.jars.exists():
            shutil.rmtree(self.layout.jars)  # a stale or partial copy from an older pom
        argv = [
            maven,
            "-B",
            "-f",
            str(POM),
            f"-Dmaven.repo.local={self.layout.maven_repo}",
            f"-Dfeedsync.jars={self.layout.jars}",
            "package",
        ]
        mirror = self.settings.stack.maven_repo_url
        if mirror:
            argv[1:1] = ["-s", str(self._mirror_settings(mirror))]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            result = subprocess.run(
                argv, stdout=log, stderr=subprocess.STDOUT, timeout=1800, check=False
            )
        if result.returncode != 0:
            raise StackError(
                "downloading the Kafka/Connect/Debezium jars failed (Maven exit code "
                f"{result.returncode}): {self._maven_error()}",
                hint="check access to the Maven repository; the log has Maven's full account",
                log=str(self.log),
            )
        self._stamp.write_text(self._digest())
        return True

    def _maven_error(self) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        errors = [line for line in lines if line.startswith("[ERROR]") and len(line) > 8]
        return errors[0][8:].strip()[:400] if errors else "see the log"

    def _mirror_settings(self, url: str) -> Path:
        path = self.layout.cache / "maven-settings.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"""<settings><mirrors><mirror><id>feedsync-mirror</id><mirrorOf>*</mirrorOf>
<url>{url}</url></mirror></mirrors></settings>
"""
        )
        return path
