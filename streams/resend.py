"""Records of ``<app id>.resend.<feed>``: items an operator asked to send again.

``feedsync resync`` (topic replay) and ``feedsync dlq replay`` read the items to send from
the compacted items topic or from dead letters and write them here, each in the partition
its items record has, so that the delivery status the worker writes lands where the live
delivery of that item writes its own. The worker's resend agent of the feed sends them
through the feed's sender: the same batching, retries, dead letters and status, and the
same rule that an older version is never sent over a newer one. ``force`` sends an item
even if the endpoint already answered for that content (after the service lost its data,
or to try a refused item again after a fix on its side).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from feeds.item import FeedItem

__all__ = ["Resend", "resend_topic"]


def resend_topic(feed: str, namespace: str = "feedsync") -> str:
    return f"{namespace}.resend.{feed}"


@dataclass(frozen=True)
class Resend:
    run: str  # the resync or replay that asked, e.g. "resync-20261201T174000-3f2a"
    force: bool
    item: FeedItem

    def to_record(self) -> bytes:
        item = orjson.Fragment(self.item.to_record())
        return orjson.dumps({"run": self.run, "force": self.force, "item": item})

    @classmethod
    def from_record(cls, value: bytes) -> Resend:
        data = orjson.loads(value)
        item = FeedItem.from_record(orjson.dumps(data["item"]))
        return cls(run=str(data["run"]), force=bool(data["force"]), item=item)
