"""The local stack: MariaDB, Kafka and Kafka Connect with Debezium, as plain processes.

``feedsync stack up`` (and ``deploy/local/run``) installs what is missing, starts each
component bound to loopback with all of its state under ``stack.state_dir``, and waits
on a readiness condition with a deadline. Production shapes live in ``deploy/compose``
and ``deploy/k8s``; this package is for developer machines and CI.
"""

from feedsync.stack.orchestrate import StackStatus, clean, down, status, up

__all__ = ["StackStatus", "clean", "down", "status", "up"]
