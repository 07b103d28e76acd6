"""``feedsync receive``: the reference ingestion endpoint of DESIGN.md's contract.

A real HTTP server that accepts gzip JSON batches per feed, verifies bearer tokens and
Standard Webhooks signatures, keeps the latest item per id in SQLite, and injects
faults on demand (status codes, Retry-After, latency, hangs, per-item rejections) so
the pipeline can be tested against the failures real endpoints produce.
"""

from feedsync.receiver.app import ReceiverConfig, build_app
from feedsync.receiver.faults import FaultPlan
from feedsync.receiver.store import ItemStore

__all__ = ["FaultPlan", "ItemStore", "ReceiverConfig", "build_app"]
