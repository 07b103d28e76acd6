from __future__ import annotations

from pathlib import Path

import pytest

from feedsync.errors import ConfigError
from feedsync.settings import load_settings


def test_defaults_bind_to_loopback() -> None:
    settings = load_settings()
    assert settings.database.host == "127.0.0.1"
    assert settings.kafka.bootstrap_servers.startswith("127.0.0.1:")
    assert settings.connect.url.startswith("http://127.0.0.1:")


def test_env_vars_use_section_double_underscore_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDSYNC_DATABASE__PORT", "3999")
    monkeypatch.setenv("FEEDSYNC_CONNECT__TOPIC_PREFIX", "shop1")
    settings = load_settings()
    assert settings.database.port == 3999
    assert settings.connect.topic_prefix == "shop1"


def test_bad_value_names_the_variable_the_value_and_what_is_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEEDSYNC_DATABASE__PORT", "70000")
    with pytest.raises(ConfigError) as failure:
        load_settings()
    message = str(failure.value)
    assert "FEEDSYNC_DATABASE__PORT='70000'" in message
    assert "less than or equal to 65535" in message


def test_unknown_key_in_a_section_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDSYNC_DATABASE__PROT", "3306")
    with pytest.raises(ConfigError, match="FEEDSYNC_DATABASE__PROT"):
        load_settings()


def test_secrets_never_print(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDSYNC_DATABASE__PASSWORD", "hunter2-secret")
    settings = load_settings()
    assert "hunter2-secret" not in repr(settings)
    assert "hunter2-secret" not in str(settings.model_dump())
    assert settings.database.password.get_secret_value() == "hunter2-secret"


def test_config_file_is_read_and_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "feedsync.toml"
    config.write_text('[database]\nport = 3555\nname = "shop"\n')
    monkeypatch.setenv("FEEDSYNC_CONFIG", str(config))
    monkeypatch.setenv("FEEDSYNC_DATABASE__NAME", "fromenv")
    settings = load_settings()
    assert settings.database.port == 3555
    assert settings.database.name == "fromenv"


def test_missing_config_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FEEDSYNC_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="FEEDSYNC_CONFIG"):
        load_settings()


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.database.port = 1  # type: ignore[misc]


def test_per_feed_delivery_settings_merge_over_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDSYNC_DELIVERY__DEFAULTS__LINGER_S", "2")
    monkeypatch.setenv("FEEDSYNC_DELIVERY__FEEDS__PRODUCTS__BATCH_COUNT", "50")
    monkeypatch.setenv("FEEDSYNC_DELIVERY__FEEDS__PRODUCTS__URL", "http://127.0.0.1:9/p")
    delivery = load_settings().delivery
    products = delivery.for_feed("products")
    assert (products.batch_count, products.linger_s) == (50, 2.0)
    assert products.url == "http://127.0.0.1:9/p"
    scopes = delivery.for_feed("scopesWebsite", batch_count=7)
    assert scopes.url == "http://127.0.0.1:8900/feeds/scopesWebsite"
    assert scopes.batch_count == 7  # the feed's own default when no setting names one


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        # a webhook secret that cannot sign
        ("FEEDSYNC_DELIVERY__DEFAULTS__WEBHOOK_SECRET", "whsec_not*base64!"),
        # an unknown name may be a secret's typo
        ("FEEDSYNC_DELIVERY__DEFAULTS__BEARER_TOKN", "tok-planted-77"),
    ],
)
def test_a_refused_secret_is_never_shown(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=f"{variable}=<hidden>") as failure:
        load_settings()
    assert value not in str(failure.value)


def test_per_feed_secrets_are_typed_and_never_print(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDSYNC_DELIVERY__FEEDS__PRODUCTS__BEARER_TOKEN", "tok-3a9f")
    delivery = load_settings().delivery
    assert "tok-3a9f" not in repr(delivery)
    assert "tok-3a9f" not in str(delivery)
    token = delivery.for_feed("products").bearer_token
    assert token is not None
    assert token.get_secret_value() == "tok-3a9f"


def test_min_insync_replicas_cannot_exceed_the_replication_factor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEEDSYNC_KAFKA__REPLICATION_FACTOR", "3")
    monkeypatch.setenv("FEEDSYNC_KAFKA__MIN_INSYNC_REPLICAS", "2")
    assert load_settings().kafka.min_insync_replicas == 2
    monkeypatch.setenv("FEEDSYNC_KAFKA__MIN_INSYNC_REPLICAS", "4")
    with pytest.raises(ConfigError, match="min_insync_replicas cannot exceed replication_factor"):
        load_settings()


def test_sasl_needs_both_credentials_and_a_section_error_never_shows_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEEDSYNC_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("FEEDSYNC_KAFKA__SASL_PASSWORD", "scram-planted-51")
    with pytest.raises(ConfigError, match="needs sasl_username and sasl_password") as failure:
        load_settings()
    assert "scram-planted-51" not in str(failure.value)
    assert "sasl_password" in str(failure.value)  # what was set is named
    monkeypatch.setenv("FEEDSYNC_KAFKA__SASL_USERNAME", "feedsync")
    kafka = load_settings().kafka
    assert kafka.sasl_password is not None
    assert "scram-planted-51" not in repr(kafka)


def test_a_ca_file_that_does_not_exist_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FEEDSYNC_KAFKA__SSL_CAFILE", str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigError, match=r"FEEDSYNC_KAFKA__SSL_CAFILE=.*does not point to a file"):
        load_settings()


def test_the_installation_id_is_a_name_and_empty_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings().streams.installation_id == ""
    monkeypatch.setenv("FEEDSYNC_STREAMS__INSTALLATION_ID", "eu-shop.2")
    assert load_settings().streams.installation_id == "eu-shop.2"
    monkeypatch.setenv("FEEDSYNC_STREAMS__INSTALLATION_ID", "eu shop/2")
    with pytest.raises(ConfigError) as failure:
        load_settings()
    assert "FEEDSYNC_STREAMS__INSTALLATION_ID" in str(failure.value)


def test_a_destination_gets_its_own_app_id_delivery_and_feeds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix = "FEEDSYNC_DELIVERY__DESTINATIONS__SEARCH__"
    monkeypatch.setenv("FEEDSYNC_STREAMS__APP_ID", "shop")
    monkeypatch.setenv("FEEDSYNC_DELIVERY__ENDPOINT_BASE", "http://127.0.0.1:1/primary")
    monkeypatch.setenv(f"{prefix}ENDPOINT_BASE", "http://127.0.0.1:2/search")
    monkeypatch.setenv(f"{prefix}INCLUDE", "products, prices")
    monkeypatch.setenv(f"{prefix}RATE_LIMIT_PER_S", "2")
    monkeypatch.setenv(f"{prefix}METRICS_PORT", "9471")
    monkeypatch.setenv(f"{prefix}FEEDS__PRICES__BATCH_COUNT", "50")
    primary = load_settings()
    assert primary.for_destination(None) is primary
    search = primary.for_destination("Search")  # names are case-insensitive, as env vars
    assert search.streams.app_id == "shop-to-search"
    assert search.streams.pipeline_id == "shop"  # the items topics it reads
    assert search.streams.delivers_only
    assert not primary.streams.delivers_only
    assert search.streams.feeds == ("products", "prices")
    assert search.delivery.endpoint_base == "http://127.0.0.1:2/search"
    assert search.delivery.rate_limit_per_s == 2
    assert search.delivery.destinations == {}
    assert search.delivery.for_feed("prices").batch_count == 50
    assert search.delivery.for_feed("products").url == "http://127.0.0.1:2/search/products"
    assert search.metrics.port == 9471
    assert primary.delivery.for_feed("products").url == "http://127.0.0.1:1/primary/products"


def test_an_unknown_destination_is_named_with_the_known_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEEDSYNC_DELIVERY__DESTINATIONS__ERP__ENDPOINT_BASE", "http://x/feeds")
    with pytest.raises(ConfigError, match=r"no destination named 'crm' \(erp\)"):
        load_settings().for_destination("crm")


def test_a_destination_name_must_name_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDSYNC_DELIVERY__DESTINATIONS__SEARCH-1__ENDPOINT_BASE", "http://x/f")
    with pytest.raises(ConfigError, match="lower-case letters, digits and '_'"):
        load_settings()
