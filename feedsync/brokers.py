"""How feedsync's Kafka clients reach the brokers: address, TLS and SASL, from the settings.

Every kafka-python client (the CLI's admin, consumers and producers, the worker's topic
set-up, the dashboard) takes :func:`client_options`; the worker's faust app takes the same
TLS context and credentials (streams/app.py). A secured cluster is then one set of
settings, never a hunt through call sites.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, TypeVar

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from feedsync.errors import TransientError
from feedsync.settings import KafkaSettings

__all__ = [
    "admin_client",
    "client_options",
    "connected",
    "ssl_context",
    "tls_problem",
    "unreachable",
    "uses_sasl",
    "uses_tls",
]


def uses_tls(kafka: KafkaSettings) -> bool:
    return kafka.security_protocol in ("SSL", "SASL_SSL")


def uses_sasl(kafka: KafkaSettings) -> bool:
    return kafka.security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")


def ssl_context(kafka: KafkaSettings) -> ssl.SSLContext:
    """Certificates checked, host names too, against ``ssl_cafile`` or the system's CAs."""
    cafile = str(kafka.ssl_cafile) if kafka.ssl_cafile else None
    return ssl.create_default_context(cafile=cafile)


def client_options(kafka: KafkaSettings) -> dict[str, Any]:
    """Keyword arguments for kafka-python's ``KafkaAdminClient``, ``KafkaConsumer`` and
    ``KafkaProducer``: the bootstrap servers and, when the settings ask, TLS and SASL."""
    options: dict[str, Any] = {
        "bootstrap_servers": kafka.bootstrap_servers,
        "security_protocol": kafka.security_protocol,
        "bootstrap_timeout_ms": int(kafka.connect_timeout_s * 1000),
    }
    if uses_tls(kafka):
        options["ssl_context"] = ssl_context(kafka)
    if uses_sasl(kafka):
        assert kafka.sasl_password is not None  # the settings refuse SASL without one
        options |= {
            "sasl_mechanism": kafka.sasl_mechanism,
            "sasl_plain_username": kafka.sasl_username,
            "sasl_plain_password": kafka.sasl_password.get_secret_value(),
        }
    return options


def tls_problem(kafka: KafkaSettings, timeout_s: float = 5.0) -> str | None:
    """Why a TLS handshake with the first bootstrap server fails, or None when it passes
    (or the settings use no TLS, or the server cannot be reached at all).

    kafka-python logs a failed handshake and raises only "unable to bootstrap"; this
    finds the cause again, so that the error can name the setting to fix."""
    if not uses_tls(kafka):
        return None
    host, _, port = kafka.bootstrap_servers.split(",")[0].strip().rpartition(":")
    try:
        with (
            socket.create_connection((host, int(port)), timeout=timeout_s) as raw,
            ssl_context(kafka).wrap_socket(raw, server_hostname=host),
        ):
            return None
    except ssl.SSLError as exc:
        return str(exc)
    except OSError:
        return None


class _Client(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=_Client)


@contextmanager
def connected(kafka: KafkaSettings, make: Callable[..., C], **options: Any) -> Iterator[C]:
    """A kafka-python client made by ``make`` with the settings' connection and
    ``options``, closed after; a failure to connect raises :func:`unreachable`'s error."""
    try:
        client = make(**client_options(kafka), **options)
    except KafkaError as exc:
        raise unreachable(kafka, exc) from exc
    try:
        yield client
    finally:
        client.close()


def admin_client(kafka: KafkaSettings) -> AbstractContextManager[KafkaAdminClient]:
    return connected(kafka, KafkaAdminClient)


def unreachable(kafka: KafkaSettings, error: KafkaError) -> TransientError:
    """The error for a client that could not connect, naming the settings to check."""
    where = f"Kafka at {kafka.bootstrap_servers} ({kafka.security_protocol})"
    problem = tls_problem(kafka)
    if problem is not None:
        return TransientError(
            f"{where}: the broker's certificate is not trusted: {problem}",
            hint="set FEEDSYNC_KAFKA__SSL_CAFILE to the PEM file of the CA that signed the "
            "brokers' certificates (the local stack's: .state/kafka/tls/ca.pem)",
        )
    if uses_sasl(kafka):
        return TransientError(
            f"{where} did not accept the connection as {kafka.sasl_username!r} "
            f"({kafka.sasl_mechanism}): {error}",
            hint="check FEEDSYNC_KAFKA__SASL_USERNAME, FEEDSYNC_KAFKA__SASL_PASSWORD and "
            "FEEDSYNC_KAFKA__SASL_MECHANISM (refused credentials look like this), and that "
            "FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS names the brokers' SASL listener",
        )
    return TransientError(
        f"cannot reach {where}: {error}",
        hint="start the stack (feedsync stack up) or set FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS",
    )
