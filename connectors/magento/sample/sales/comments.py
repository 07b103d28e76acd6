"""Credit memo comments (``sales_creditmemo_comment``): what the admin wrote when refunding.

About half the credit memos get one comment and some a second, dated with the memo; some
were e-mailed to the customer, some are visible in the customer's account. Draws come from
the "creditmemo_comments" random stream only, after every other step has written its rows.
"""

from __future__ import annotations

from typing import Final

from connectors.magento.sample.context import Context, Seq

COMMENTS: Final = (
    "Refunded after the customer returned the item.",
    "Item arrived damaged; refunded without return.",
    "Goodwill refund agreed by phone.",
    "Wrong size shipped, customer kept the replacement.",
    "Shipping refunded: parcel lost by the carrier.",
    "Partial refund, see ticket #4711.",
)


def add_creditmemo_comments(ctx: Context) -> None:
    """Zero, one or two comments per credit memo."""
    rng = ctx.rng("creditmemo_comments")
    memos, comments = ctx.tables["sales_creditmemo"], ctx.tables["sales_creditmemo_comment"]
    id_at, created_at = memos.columns.index("entity_id"), memos.columns.index("created_at")
    ids = Seq()
    for memo in memos.rows:
        count = rng.choices((0, 1, 2), (45, 40, 15))[0]
        for text in rng.sample(COMMENTS, count):
            comments.add(
                ids.next(),
                memo[id_at],
                rng.choice((0, 1)),
                rng.choice((0, 1)),
                text,
                memo[created_at],
            )
