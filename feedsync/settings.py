"""One typed, frozen settings object for every feedsync process.

Values come from, in order of precedence: ``FEEDSYNC_<SECTION>__<KEY>`` environment
variables, the TOML file named by ``FEEDSYNC_CONFIG`` (optional), then the defaults
below. Secrets are ``SecretStr`` and never print. A bad value stops start-up with a
``ConfigError`` naming the variable, the value given and what is allowed.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    FilePath,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from feedsync.errors import ConfigError
from feedsync.webhooks import check_secret

__all__ = ["Settings", "get_settings", "load_settings"]

ENV_PREFIX = "FEEDSYNC_"
CONFIG_FILE_VAR = "FEEDSYNC_CONFIG"
REPO_ROOT = Path(__file__).resolve().parent.parent

Port = int


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DatabaseSettings(_Section):
    """The Magento database (MariaDB/MySQL) feedsync captures."""

    host: str = "127.0.0.1"
    port: Port = Field(3307, ge=1, le=65535)
    name: str = Field("magento", pattern=r"^[A-Za-z0-9_]+$")
    user: str = "feedsync"
    password: SecretStr = SecretStr("feedsync-local")
    debezium_user: str = "debezium"
    debezium_password: SecretStr = SecretStr("debezium-local")


class KafkaSettings(_Section):
    """The Kafka cluster: where change events and feed items live."""

    bootstrap_servers: str = "127.0.0.1:9092"
    controller_port: Port = Field(9093, ge=1, le=65535)
    # Internal topics (entity, items, dead letters, Faust's changelogs). One node locally;
    # on a 3-broker cluster use 3 and 2, so that acks=all survives a broker's loss.
    replication_factor: int = Field(1, ge=1, le=32)
    min_insync_replicas: int = Field(1, ge=1, le=32)
    # How every client (workers, CLI, dashboard) talks to the brokers: TLS with SSL and
    # SASL_SSL, checked against ssl_cafile (PEM) or the system's CAs; SASL with SCRAM or
    # PLAIN credentials. The local stack serves PLAINTEXT on bootstrap_servers and
    # SASL_SSL (SCRAM, its own CA: .state/kafka/tls/ca.pem) on secure_port.
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: FilePath | None = None
    secure_port: Port = Field(9094, ge=1, le=65535)
    # How long a command or the worker's first check tries to reach the brokers before it
    # stops, naming the settings to check (kafka-python's bootstrap timeout).
    connect_timeout_s: float = Field(30.0, gt=0, le=600)

    @model_validator(mode="after")
    def _isr_within_replicas(self) -> KafkaSettings:
        if self.min_insync_replicas > self.replication_factor:
            raise ValueError("min_insync_replicas cannot exceed replication_factor")
        return self

    @model_validator(mode="after")
    def _sasl_has_credentials(self) -> KafkaSettings:
        if self.security_protocol.startswith("SASL") and not (
            self.sasl_username and self.sasl_password
        ):
            raise ValueError(
                f"security_protocol {self.security_protocol} needs sasl_username and "
                "sasl_password (FEEDSYNC_KAFKA__SASL_USERNAME, FEEDSYNC_KAFKA__SASL_PASSWORD)"
            )
        return self


class ConnectSettings(_Section):
    """Kafka Connect and the Debezium source connector it runs."""

    url: str = "http://127.0.0.1:8083"
    connector_name: str = "magento-mariadb"
    topic_prefix: str = Field("magento", pattern=r"^[A-Za-z0-9_.-]+$")
    server_id: int = Field(184054, ge=1, le=4294967295)


class StackSettings(_Section):
    """The local stack of plain processes started by ``deploy/local``."""

    state_dir: Path = REPO_ROOT / ".state"
    cache_dir: Path = Path.home() / ".cache" / "feedsync"
    java: str = "java"
    maven: str = "mvn"
    maven_repo_url: str | None = None
    start_timeout_s: float = Field(120.0, gt=0)
    kafka_heap: str = "512m"
    connect_heap: str = "768m"


class ReceiverSettings(_Section):
    """``feedsync receive``: the reference ingestion endpoint."""

    host: str = "127.0.0.1"
    port: Port = Field(8900, ge=1, le=65535)
    db_path: Path = REPO_ROOT / ".state" / "receiver" / "items.sqlite3"
    bearer_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    max_body_bytes: int = Field(32 * 1024 * 1024, gt=0)
    dedupe_by_key: bool = False  # apply each Idempotency-Key once (a stricter service)
    tls_cert: Path | None = None  # PEM certificate chain: serve https (with tls_key)
    tls_key: Path | None = None


class MetricsSettings(_Section):
    """Prometheus ``/metrics`` of a worker (streams/metrics.py)."""

    enabled: bool = True
    host: str = "127.0.0.1"
    # 0: any free port (the worker logs the address); several workers on one host need
    # a port each.
    port: int = Field(9464, ge=0, le=65535)


class DashboardSettings(_Section):
    """``feedsync dashboard``: the ops web page (feedsync/dashboard/)."""

    host: str = "127.0.0.1"
    port: Port = Field(8950, ge=1, le=65535)
    token: SecretStr | None = None  # needed to listen beyond loopback
    refresh_s: float = Field(5.0, gt=0)
    # The workers' /metrics to read; empty: the local worker's (metrics.host:metrics.port).
    metrics_urls: Annotated[list[str], NoDecode] = []

    @field_validator("metrics_urls", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [url.strip() for url in value.split(",") if url.strip()]
        return value


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return tuple(name.strip() for name in value.split(",") if name.strip())
    return value


# Feed names, comma-separated in an environment variable.
FeedNames = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_separated)]


class StreamsSettings(_Section):
    """The Faust worker."""

    app_id: str = Field("feedsync", pattern=r"^[A-Za-z0-9_-]+$")
    # Faust's local data (table state, offsets) goes to <data_dir>/<app id>, never the cwd.
    data_dir: Path = REPO_ROOT / ".state" / "faust"
    partitions: int = Field(4, ge=1, le=1024)
    # Where the entity state and delivery status tables live: "rocksdb" on local disk under
    # data_dir (a restarted worker reads only the changelog records written since it
    # stopped: streams/store.py), or "memory" (read back in full from Kafka at each start).
    state_store: Literal["rocksdb", "memory"] = "rocksdb"
    # RocksDB's block cache plus write buffers, shared by every table and partition.
    state_memory_mib: int = Field(256, ge=16, le=64 * 1024)
    reference_debounce_s: float = Field(1.0, gt=0)
    dlq_redrive_interval_s: float = Field(300.0, gt=0)
    # A will-retry letter re-driven this many times in vain becomes needs-attention.
    dlq_give_up_attempts: int = Field(100, ge=1)
    # The fault suite only: a crash point (streams/crash.py) where the worker kills itself.
    crash_at: str = ""
    pause_retry_s: float = Field(30.0, gt=0)
    # How long the group waits for a worker that stopped answering (killed, hung) before
    # its partitions go to the others (faust's default, 60 s); a graceful stop leaves at
    # once whatever this is. Kafka allows 6 s and up (group.min.session.timeout.ms). 15 s
    # brings a killed worker back in 25 s instead of 70 (bench/restart.py); the fault-suite
    # losses once blamed on it were duplicate SKUs in the test data, but 60 stays the
    # conservative default. A static member (instance_id) does not wait for it at all.
    session_timeout_s: float = Field(60.0, ge=6.0, le=1800.0)
    # Static group membership (Kafka's group.instance.id): a worker restarted under the
    # same id within session_timeout_s takes its partitions back without a rebalance.
    # One id per worker, stable across its restarts (a StatefulSet pod's name); two
    # running workers with one id fence each other. Empty: dynamic membership.
    instance_id: str = Field("", pattern=r"^[A-Za-z0-9._-]*$", max_length=200)
    # A fetched record neither acknowledged nor held by an agent for this long was
    # dropped on the way (streams/offsets.py): its partition is read again from it.
    stall_reseek_s: float = Field(60.0, gt=0)
    # Kafka client batching (faust's producer_linger, producer_max_batch_size,
    # stream_buffer_maxsize, broker_max_poll_records; faust's defaults 0 s, 16 KiB, 4,096
    # and none). A record waits up to the linger in the producer for others to share its
    # request: each stage of a full sync sends thousands a second, one request each with
    # no linger. 12 % less worker CPU in a small full sync (bench/RESULTS.md, "Kafka
    # client batching"), for at most 5 ms per hop when idle.
    producer_linger_s: float = Field(0.005, ge=0.0, le=1.0)
    producer_batch_bytes: int = Field(256 * 1024, ge=1024, le=16 * 1024 * 1024)
    stream_buffer_maxsize: int = Field(16384, ge=1)
    max_poll_records: int | None = Field(2000, ge=1)
    # The worker's event loop: "uvloop" (libuv) or "asyncio" (the standard library's). Each
    # Kafka record a stage takes or sends costs futures, callbacks and tasks on the loop,
    # about a third of a worker's samples in a full sync (bench/RESULTS.md).
    event_loop: Literal["uvloop", "asyncio"] = "uvloop"
    # The feeds this worker runs (comma-separated in FEEDSYNC_STREAMS__FEEDS); empty: all.
    feeds: FeedNames = ()
    # Names this Magento installation in the UUIDs the orders feed derives (docs/feeds.md,
    # orders): two installations sending to one service must set different ones, or their
    # orders with equal ids get equal UUIDs. Empty: the namespace of earlier versions.
    # Changing it changes every order's UUIDs (a resync sends them all again).
    installation_id: str = Field("", pattern=r"^[A-Za-z0-9._:-]*$", max_length=200)
    # Moves the clock prices are built by (feeds/clock.py) this many seconds from the wall
    # clock, in the workers and in verify alike: tests and demos of a website's day turning.
    # Production leaves it at 0.
    clock_offset_s: float = Field(0.0, ge=-366 * 86_400, le=366 * 86_400)
    # Set by ``Settings.for_destination``, not by hand: a destination's worker delivers the
    # items topics of this app (the pipeline's), under an app id (a consumer group, topics
    # and tables) of its own.
    items_app_id: str = Field("", pattern=r"^[A-Za-z0-9_-]*$")

    @property
    def pipeline_id(self) -> str:
        """The app whose workers project: it names the entity and items topics."""
        return self.items_app_id or self.app_id

    @property
    def delivers_only(self) -> bool:
        """A destination's worker: it delivers the pipeline's items and projects nothing."""
        return bool(self.items_app_id)


class FeedDelivery(_Section):
    """How one feed is delivered; every field may be set per feed, or for all feeds."""

    url: str | None = None  # default: <delivery.endpoint_base>/<feed>
    bearer_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    batch_count: int | None = Field(None, ge=1, le=100_000)
    batch_bytes: int = Field(4 * 1024 * 1024, ge=1024)
    linger_s: float = Field(0.1, gt=0)  # faust's take ticks: half of it, on average, idle
    timeout_s: float = Field(30.0, gt=0)
    retry_attempts: int = Field(8, ge=1)
    retry_budget_s: float = Field(300.0, gt=0)
    retry_after_cap_s: float = Field(120.0, gt=0)

    @field_validator("webhook_secret")
    @classmethod
    def _signs(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None:
            check_secret(secret)
        return secret


class _Destination(_Section):
    """One connected service: where its feeds go, and how."""

    endpoint_base: str = "http://127.0.0.1:8900/feeds"
    # Credentials go over https only; this lets them go over plain http to a loopback
    # address (a receiver on the same machine), never beyond.
    allow_plain_http_loopback: bool = False
    ca_bundle: Path | None = None  # PEM CAs to trust for https endpoints, beside the system's
    # Requests per second the service accepts from this worker process, all its feeds
    # together (Adobe's ingestion: 2); none: as fast as it answers (429 is honoured anyway).
    rate_limit_per_s: float | None = Field(None, gt=0)
    defaults: FeedDelivery = FeedDelivery()
    # Per-feed overrides, typed (a bad value or a secret is handled like any setting);
    # feed names are checked against the feed registry when a worker starts.
    feeds: dict[str, FeedDelivery] = {}

    def for_feed(self, feed: str, batch_count: int = 100) -> FeedDelivery:
        """One feed's effective settings: its overrides on top of the defaults, with its
        URL (``<endpoint_base>/<feed>`` unless set) and batch count (``batch_count``, the
        feed's own default, unless set) filled in."""
        # Environment variable names are case-insensitive, so feed names arrive lowercased.
        overrides = {name.lower(): value for name, value in self.feeds.items()}
        override = overrides.get(feed.lower())
        merged = {
            **_set_fields(self.defaults),
            **(_set_fields(override) if override is not None else {}),
        }
        merged.setdefault("url", f"{self.endpoint_base.rstrip('/')}/{feed}")
        merged.setdefault("batch_count", batch_count)
        return FeedDelivery(**merged)


class DestinationSettings(_Destination):
    """A further connected service, served by a worker of its own (``feedsync worker
    --destination NAME``): its own consumer group on the items topics, its own delivery
    status, dead letters, retries and rate limit, so it never holds another back."""

    # The feeds it takes (comma-separated); empty: every feed the pipeline runs.
    include: FeedNames = ()
    # Its worker's /metrics port; 0: any free one (the worker logs the address).
    metrics_port: int = Field(0, ge=0, le=65535)


class DeliverySettings(_Destination):
    """Delivery to the connected services: the primary one (these fields; the pipeline's
    own worker delivers to it), and further named ``destinations``."""

    destinations: dict[str, DestinationSettings] = {}

    @field_validator("destinations")
    @classmethod
    def _names(cls, destinations: dict[str, DestinationSettings]) -> dict[str, DestinationSettings]:
        for name in destinations:
            if not DESTINATION_NAME.fullmatch(name):
                raise ValueError(
                    f"destination name {name!r}: use lower-case letters, digits and '_' "
                    "(it names the destination's consumer group and topics)"
                )
        return destinations


DESTINATION_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


def destination_app_id(app_id: str, destination: str) -> str:
    """The app id of a destination's workers: its consumer group and topics' prefix."""
    return f"{app_id}-to-{destination}"


def _set_fields(section: FeedDelivery) -> dict[str, Any]:
    """The fields a setting named (not their defaults), as typed values (secrets stay secret)."""
    return {name: getattr(section, name) for name in section.model_fields_set}


class Settings(BaseSettings):
    """Every setting feedsync reads, grouped by the component it configures."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
    )

    database: DatabaseSettings = DatabaseSettings()
    kafka: KafkaSettings = KafkaSettings()
    connect: ConnectSettings = ConnectSettings()
    stack: StackSettings = StackSettings()
    receiver: ReceiverSettings = ReceiverSettings()
    streams: StreamsSettings = StreamsSettings()
    delivery: DeliverySettings = DeliverySettings()
    metrics: MetricsSettings = MetricsSettings()
    dashboard: DashboardSettings = DashboardSettings()
    # A second log of warnings and errors only (JSON lines), beside the main one; the local
    # stack's worker writes .state/logs/worker-errors.log.
    log_errors_file: Path | None = None
    log_payloads: bool = False  # FEEDSYNC_LOG_PAYLOADS=1: log sent payloads, redacted

    def for_destination(self, name: str | None) -> Settings:
        """The settings a destination's worker and the operator's commands about it use:
        its delivery settings as ``delivery``, its own app id ``<app id>-to-<name>`` (a
        consumer group, dead-letter, resend and status topics of its own), the pipeline's
        items topics, and the feeds it takes. ``None``: the primary destination (these)."""
        if name is None:
            return self
        destination = self.delivery.destinations.get(name.lower())
        if destination is None:
            known = ", ".join(sorted(self.delivery.destinations)) or "none is configured"
            raise ConfigError(
                f"no destination named {name!r} ({known})",
                hint="configure it as FEEDSYNC_DELIVERY__DESTINATIONS__<NAME>__ENDPOINT_BASE "
                "(or [delivery.destinations.<name>] in the FEEDSYNC_CONFIG file)",
            )
        fields = {
            field: getattr(destination, field)
            for field in destination.model_fields_set
            if field not in {"include", "metrics_port"}
        }
        streams = self.streams.model_copy(
            update={
                "app_id": destination_app_id(self.streams.app_id, name.lower()),
                "items_app_id": self.streams.app_id,
                "feeds": destination.include or self.streams.feeds,
            }
        )
        metrics = self.metrics.model_copy(update={"port": destination.metrics_port})
        return self.model_copy(
            update={"delivery": DeliverySettings(**fields), "streams": streams, "metrics": metrics}
        )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get(CONFIG_FILE_VAR)
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings afresh, turning validation errors into a ``ConfigError``."""
    config_file = os.environ.get(CONFIG_FILE_VAR)
    if config_file and not Path(config_file).is_file():
        raise ConfigError(
            f"{CONFIG_FILE_VAR}={config_file!r} names no readable file",
            hint=f"point {CONFIG_FILE_VAR} at a TOML settings file, or unset it",
        )
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise _config_error(exc) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()


SECRET_WORDS = ("password", "secret", "token", "key", "credential", "auth")


def _config_error(exc: ValidationError, prefix: str = "") -> ConfigError:
    lines = []
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        variable = ENV_PREFIX + prefix + "__".join(part.upper() for part in location)
        given = error.get("input")
        # An unknown setting's value is never shown: it may be a secret under a mistyped
        # name (BEARER_TOKN); a known one's only when its name says it is no secret.
        secret = error["type"] == "extra_forbidden" or any(
            word in variable.lower() for word in SECRET_WORDS
        )
        if isinstance(given, dict):  # a whole section's check: name what was set, not values
            shown = "{" + ", ".join(sorted(map(str, given))) + "}"
        else:
            shown = "<hidden>" if secret else repr(given)
        lines.append(f"{variable}={shown}: {error['msg']}")
    return ConfigError(
        "invalid settings:\n  " + "\n  ".join(lines),
        hint="fix the environment variable (or the same key in the FEEDSYNC_CONFIG file)",
    )
