"""The offset-commit rule of streams/offsets.py, without Kafka."""

from __future__ import annotations

from collections import defaultdict

import faust.transport
import pytest
from faust.types import TP
from hypothesis import given
from hypothesis import strategies as st

from streams.offsets import (
    SafeOffsetConsumer,
    Transport,
    broker_url,
    committable,
    fetched_before_a_seek,
    in_flight_topics,
    partition_head,
    queued_topics,
    response_holes,
    stalled_at,
)

TP0 = TP("items", 0)

# -- the pure rule ----------------------------------------------------------------------


def test_no_head_commits_nothing() -> None:
    assert committable(None, [0, 1, 2]) is None


def test_nothing_acked_commits_nothing() -> None:
    assert committable(0, []) is None


def test_missing_head_commits_nothing() -> None:
    # faust commits 1000 here: no committed offset, so it never looks at the head
    assert committable(0, range(500, 1000)) is None


def test_exactly_one_missing_at_head_commits_nothing() -> None:
    # faust commits 34 here: it lets a hole of exactly one through
    assert committable(31, [32, 33]) is None


def test_consecutive_run_from_head_is_committed() -> None:
    assert committable(0, range(20)) == 20
    assert committable(31, [31, 32, 33]) == 34


def test_run_stops_at_the_first_unacked_offset() -> None:
    assert committable(10, [10, 11, 12, 14, 15]) == 13
    assert committable(0, [0, *range(2, 20)]) == 1


def test_acked_below_head_is_ignored() -> None:
    assert committable(10, [3, 4, 5]) is None
    assert committable(10, [3, 4, 5, 10, 11]) == 12


def test_order_and_duplicates_do_not_matter() -> None:
    assert committable(5, [7, 5, 6, 6, 5]) == 8


def test_gaps_fill_holes_between_acked_offsets() -> None:
    assert committable(10, [10, 11, 15, 16], [(12, 15)]) == 17


def test_gap_at_head_counts() -> None:
    assert committable(10, [13], [(10, 13)]) == 14


def test_gap_after_the_last_acked_offset_is_committed_past() -> None:
    # offsets 12..14 do not exist; the record at 15 (not acked) is the next to read
    assert committable(10, [10, 11], [(12, 15)]) == 15


def test_gap_does_not_cover_its_end() -> None:
    assert committable(10, [10, 11, 16], [(12, 15)]) == 15


def test_gaps_alone_are_committed_past() -> None:
    assert committable(0, [], [(0, 4)]) == 4


def test_compaction_at_head_is_a_hole_of_the_response() -> None:
    # committed 31, record 31 compacted away: the fetch from 31 answers with 32 first
    head = partition_head(committed=31, start=31)
    assert head == 31
    assert committable(head, [32, 33], response_holes(31, [32, 33])) == 34


def test_compaction_before_the_first_record_of_a_new_group() -> None:
    # no committed offset, records 0..499 compacted or expired: fetching starts at 500
    head = partition_head(committed=None, start=500)
    assert committable(head, range(500, 1000)) == 1000


def test_head_is_the_committed_offset_whatever_the_fetch_began_at() -> None:
    assert partition_head(committed=40, start=32) == 40
    assert partition_head(committed=40, start=52) == 40  # 40..51 were fetched before
    assert partition_head(committed=40, start=None) == 40
    assert partition_head(committed=None, start=None) is None


def test_a_response_shows_holes_before_its_first_record_and_between_its_records() -> None:
    assert response_holes(10, [10, 11, 12]) == []
    assert response_holes(10, [12, 13, 17]) == [(10, 12), (14, 17)]
    assert response_holes(None, [12, 13, 17]) == [(14, 17)]  # where it began: unknown
    assert response_holes(20, [12, 13]) == []  # began before a seek back to 12
    assert response_holes(10, []) == []


def covered(offset: int, acked: set[int], gaps: list[tuple[int, int]]) -> bool:
    return offset in acked or any(begin <= offset < end for begin, end in gaps)


@given(
    head=st.integers(0, 30),
    acked=st.sets(st.integers(0, 60)),
    gaps=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=4),
)
def test_commits_exactly_the_covered_run_from_head(
    head: int, acked: set[int], gaps: list[tuple[int, int]]
) -> None:
    offset = committable(head, acked, gaps)
    end = head
    while covered(end, acked, gaps):
        end += 1
    assert offset == (end if end > head else None)


# -- the consumer's bookkeeping -----------------------------------------------------------


def bare_consumer() -> SafeOffsetConsumer:
    """The consumer's offset bookkeeping, without an app or a Kafka client."""
    consumer = SafeOffsetConsumer.__new__(SafeOffsetConsumer)
    consumer._start = {}
    consumer._last_fetched = {}
    consumer._missing = {}
    consumer._committed_offset = defaultdict(lambda: None)
    consumer._acked = defaultdict(list)
    consumer._acked_index = defaultdict(set)
    return consumer


def fetch(consumer: SafeOffsetConsumer, *offsets: int, began: int | None = None) -> None:
    """One fetch response of ``offsets``, its fetch begun at ``began``."""
    consumer._responded(TP0, list(offsets), began)


def ack(consumer: SafeOffsetConsumer, *offsets: int) -> None:
    """What faust's ``Consumer.ack`` records."""
    for offset in offsets:
        consumer._acked_index[TP0].add(offset)
        consumer._acked[TP0].append(offset)


def commit(consumer: SafeOffsetConsumer) -> int | None:
    """What faust's commit does with ``_new_offset``."""
    offset = consumer._new_offset(TP0)
    if offset is not None:
        consumer._committed_offset[TP0] = offset
    return offset


def test_new_group_never_commits_past_an_unacked_first_record() -> None:
    consumer = bare_consumer()
    fetch(consumer, *range(20))
    ack(consumer, *range(1, 20))
    assert commit(consumer) is None
    ack(consumer, 0)
    assert commit(consumer) == 20
    assert consumer._acked[TP0] == []
    assert consumer._acked_index[TP0] == set()


def test_never_commits_past_an_unacked_record_at_the_committed_offset() -> None:
    consumer = bare_consumer()
    consumer._committed_offset[TP0] = 31  # told on assignment
    fetch(consumer, 31, 32, 33)
    ack(consumer, 32, 33)
    assert commit(consumer) is None
    ack(consumer, 31)
    assert commit(consumer) == 34


def test_record_at_the_committed_offset_compacted_away() -> None:
    consumer = bare_consumer()
    consumer._committed_offset[TP0] = 31
    fetch(consumer, 32, 33, began=31)
    ack(consumer, 32, 33)
    assert commit(consumer) == 34


def test_a_response_that_began_above_the_committed_offset_shows_no_hole_below_it() -> None:
    """Committed 10, records 10..19 fetched before a rebalance and dropped on their way;
    the fetch went on at 20: 10..19 exist, and the commit waits for them."""
    consumer = bare_consumer()
    consumer._committed_offset[TP0] = 10
    fetch(consumer, *range(20, 30), began=20)
    ack(consumer, *range(20, 30))
    assert commit(consumer) is None
    ack(consumer, *range(10, 20))  # read again (a stall's seek back) and acknowledged
    assert commit(consumer) == 30


def test_holes_between_fetched_records_are_gaps_but_the_next_record_is_not() -> None:
    consumer = bare_consumer()
    fetch(consumer, 0, 5, 6, began=0)  # 1..4 compacted away
    ack(consumer, 0, 6)
    assert commit(consumer) == 5  # 1..4 do not exist; 5 is still in flight
    assert commit(consumer) is None
    ack(consumer, 5)
    assert commit(consumer) == 7


def test_records_of_a_response_faust_never_passed_on_are_not_holes() -> None:
    """Two responses, 0..9 and 10..19; faust passes on 0..4 and 15..19 only (a paused
    partition's records are skipped): 5..14 hold the commit at 5."""
    consumer = bare_consumer()
    fetch(consumer, *range(10), began=0)
    fetch(consumer, *range(10, 20), began=10)
    ack(consumer, *range(5), *range(15, 20))
    assert commit(consumer) == 5
    assert stalled_at(5, consumer._last_fetched[TP0], consumer._acked[TP0]) == 5


def test_forgetting_a_partition_waits_for_the_next_fetch() -> None:
    consumer = bare_consumer()
    fetch(consumer, 0, 1)
    consumer._forget(TP0)  # revoked
    ack(consumer, 5)
    assert commit(consumer) is None


# -- registration -------------------------------------------------------------------------


def test_entry_point_resolves_the_scheme_to_the_transport() -> None:
    assert faust.transport.by_url("feedsync://127.0.0.1:9092") is Transport
    assert Transport.Consumer is SafeOffsetConsumer


@pytest.mark.parametrize(
    ("servers", "url"),
    [
        ("127.0.0.1:9092", "feedsync://127.0.0.1:9092"),
        ("a:9092,b:9093", "feedsync://a:9092;feedsync://b:9093"),
        (" a:9092 ; kafka://b:9093 ,", "feedsync://a:9092;feedsync://b:9093"),
    ],
)
def test_broker_url(servers: str, url: str) -> None:
    assert broker_url(servers) == url


def test_broker_url_refuses_no_server() -> None:
    with pytest.raises(ValueError, match="no Kafka server"):
        broker_url(" , ")


# -- records dropped on the way to an agent ----------------------------------------------


def test_nothing_fetched_is_no_stall() -> None:
    assert stalled_at(None, None, []) is None
    assert stalled_at(5, None, []) is None
    assert stalled_at(5, 4, []) is None  # the last record fetched is below the head


def test_every_record_fetched_acked_is_no_stall() -> None:
    assert stalled_at(0, 9, range(10)) is None


def test_the_first_fetched_record_not_acked_is_the_stall() -> None:
    # the re-drive of the fault suite: 1 committed, 18 handled, 1..17 dropped
    assert stalled_at(1, 18, [18]) == 1
    assert stalled_at(0, 9, [0, 1, 2, 4]) == 3


def test_holes_between_fetched_records_are_not_stalls() -> None:
    assert stalled_at(0, 9, [0, 1, 2, *range(5, 10)], [(3, 5)]) is None
    assert stalled_at(0, 9, [0, 1, 2, 5], [(3, 5)]) == 6


class _Queue:
    def __init__(self, size: int) -> None:
        self.size = size

    def qsize(self) -> int:
        return self.size


class _Channel:
    def __init__(self, queued: int | None) -> None:
        self._queue = None if queued is None else _Queue(queued)


def test_a_topic_whose_records_wait_in_a_queue_is_not_stalled() -> None:
    index = {
        "waiting": [_Channel(0), _Channel(3)],  # one of its readers has records queued
        "drained": [_Channel(0)],
        "unread": [_Channel(None)],  # faust makes a channel's queue on first use
        "nobody": [],
    }
    assert queued_topics(index) == {"waiting"}


class _Message:
    def __init__(self, topic: str, *, acked: bool) -> None:
        self.topic = topic
        self.acked = acked


def test_only_messages_not_acknowledged_are_in_flight() -> None:
    messages = [
        _Message("items.prices", acked=True),  # an agent's last batch, still referred to
        _Message("items.products", acked=False),
    ]
    assert in_flight_topics(messages) == {"items.products"}


# -- records fetched before a seek ----------------------------------------------------------


class _Record:
    def __init__(self, offset: int) -> None:
        self.offset = offset


def _fetch(*offsets: int) -> list[_Record]:
    return [_Record(offset) for offset in offsets]


def test_a_fetch_leaves_the_position_past_its_last_record() -> None:
    records = {TP0: _fetch(20, 21, 22)}
    assert fetched_before_a_seek(records, {TP0: 23}) == set()
    assert fetched_before_a_seek(records, {TP0: 30}) == set()  # markers after 22


def test_records_above_where_a_seek_sent_the_partition_are_stale() -> None:
    """Fetched at 20..22, sought back to the committed 10 before the loop saw them."""
    assert fetched_before_a_seek({TP0: _fetch(20, 21, 22)}, {TP0: 10}) == {TP0}


def test_records_of_a_partition_no_longer_assigned_or_being_reset_are_stale() -> None:
    other = TP("items", 1)
    records = {TP0: _fetch(5), other: _fetch(7)}
    assert fetched_before_a_seek(records, {TP0: None}) == {TP0, other}


def test_an_empty_partition_of_a_fetch_is_not_stale() -> None:
    assert fetched_before_a_seek({TP0: []}, {TP0: None}) == set()
