"""A few downloadable products (e-books, courses) with their samples, written after the
profile's products, stock and orders from their own random stream: every row of those steps
is the same with or without them. Their ids follow the last product's; they have no stock
or orders (a store can have such products too), and URLs and media like every product."""

from __future__ import annotations

from connectors.magento.sample.attributes import Attributes
from connectors.magento.sample.catalog import Catalog, Product
from connectors.magento.sample.context import Context, Seq
from connectors.magento.sample.fixed_ids import PRODUCT_ATTRIBUTE_SET_ID
from connectors.magento.sample.product_rows import ProductWriter
from connectors.magento.sample.scopes import Scopes
from connectors.magento.sample.vocabulary import ADJECTIVES

_KINDS = (
    ("E-book", "Livre numérique", "E-Book"),
    ("Video Course", "Cours vidéo", "Videokurs"),
    ("Album", "Album", "Album"),
)
_SAMPLE_NAMES = ("Preview", "First chapter", "Trailer")


def add_downloadables(ctx: Context, scopes: Scopes, attrs: Attributes, catalog: Catalog) -> None:
    """Downloadable products, a fiftieth as many as the standalone ones (at least two), with
    one to three samples each, titled at store 0 and, for some, in the French store view."""
    rng = ctx.rng("downloadables")
    writer = ProductWriter(ctx, scopes, attrs, rng)
    ids = Seq(max(catalog.by_id) + 1)
    samples, titles = ctx.tables["downloadable_sample"], ctx.tables["downloadable_sample_title"]
    sample_id = title_id = 0
    french = next((s[0] for s in scopes.stores if s[1] == "fr"), None)
    for _ in range(max(2, ctx.profile.standalone // 50)):
        eid = ids.next()
        adjective, kind = rng.choice(ADJECTIVES), rng.choice(_KINDS)
        price = rng.randint(5, 60) * 100 + 99
        product = Product(
            eid,
            f"DL-{eid:06d}",
            "downloadable",
            f"{adjective[0]} {kind[0]}",
            PRODUCT_ATTRIBUTE_SET_ID,
            price,
            price,
            0,
            (1,) if rng.random() < 0.7 else (1, 2),
        )
        writer.add(product, (adjective, kind, ("", "", "")))
        catalog.add(product)  # the storefront steps after this one give it URLs and media
        for order, name in enumerate(_SAMPLE_NAMES[: rng.randint(1, 3)]):
            sample_id += 1
            file = f"/s/a/sample-{eid}-{order}.pdf"
            samples.add(sample_id, eid, None, file, "file", order * 10)
            title_id += 1
            titles.add(title_id, sample_id, 0, f"{name}: {product.name}")
            if french is not None and rng.random() < 0.5:
                title_id += 1
                titles.add(title_id, sample_id, french, f"Extrait: {product.name}")
