"""The local stack's own certificate authority and the broker's certificate it signs.

Made once at the first start under ``.state/kafka/tls/``: ``ca.pem`` is what a client
trusts (``FEEDSYNC_KAFKA__SSL_CAFILE``); the broker's key and certificate go inline into
its config. The CA's key is never written: a new broker certificate means a new CA, which
only happens when the directory is deleted (``feedsync stack clean``).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["BrokerTls", "broker_tls"]

VALID_FOR = datetime.timedelta(days=3650)


@dataclass(frozen=True)
class BrokerTls:
    """Paths of the PEM files: the CA certificate, the broker's chain and its key."""

    ca: Path
    chain: Path
    key: Path


def broker_tls(directory: Path, hosts: tuple[str, ...]) -> BrokerTls:
    """The CA and a broker certificate for ``hosts`` (names or IP addresses), made once."""
    tls = BrokerTls(directory / "ca.pem", directory / "broker.pem", directory / "broker.key")
    if tls.ca.is_file() and tls.chain.is_file() and tls.key.is_file():
        return tls
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "feedsync local stack CA")])
    ca_cert = (
        _builder(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    broker_key = ec.generate_private_key(ec.SECP256R1())
    broker_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "feedsync local broker")])
    broker_cert = (
        _builder(broker_name, ca_name, broker_key.public_key(), now)
        .add_extension(x509.SubjectAlternativeName(list(map(_general_name, hosts))), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    _write(
        tls.key,
        broker_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        private=True,
    )
    _write(tls.chain, broker_cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    _write(tls.ca, ca_cert.public_bytes(pem))  # last: its presence says the set is whole
    return tls


def _builder(
    subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePublicKey, now: datetime.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
    )


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
