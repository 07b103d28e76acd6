"""A few downloadable products (e-books, courses) with their samples, written after the
profile's products, stock and orders from their own random stream: every row of those steps
is the same with or without them. Their ids follow the last product's; they have no stock
or orders (a store can have such products too), and URLs and media like every product.
Their links (what a buyer downloads) come in a step of their own, the generator's last."""

from __future__ import annotations

from typing import Final

from connectors.magento.sample.attributes import Attributes
from connectors.magento.sample.catalog import Catalog, Product
from connectors.magento.sample.context import Context, Seq
from connectors.magento.sample.fixed_ids import DOWNLOADABLE_ATTRIBUTE_IDS, PRODUCT_ATTRIBUTE_SET_ID
from connectors.magento.sample.fmt import money
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


# A link's titles (en, fr, de) and the heading of the product's links (EAV links_title).
_LINKS: Final = (
    ("Full edition", "Édition complète", "Vollständige Ausgabe"),
    ("Bonus material", "Contenu bonus", "Bonusmaterial"),
    ("High resolution", "Haute résolution", "Hohe Auflösung"),
)
_LINKS_TITLE: Final = ("Downloads", "Téléchargements", "Downloads")
_LOCALE_INDEX: Final = {"en": 0, "fr": 1, "de": 2}


def add_downloadable_links(ctx: Context, scopes: Scopes, catalog: Catalog) -> None:
    """One to three links for every downloadable product, each titled at store 0 and, for
    some, in the product's French or German store views; a price for website 0 and, for
    some, one for a website of the product; a sample (a file or a URL) on some, a download
    limit on most (0: unlimited). The product's ``links_title`` at store 0 and, for some,
    in a translating store view; its ``links_purchased_separately`` at store 0. From the
    "downloadable_links" stream, appended after every other step's rows: every row written
    before is the same with or without them."""
    rng = ctx.rng("downloadable_links")
    t = ctx.tables
    link_id = Seq()
    title_id = Seq()
    price_id = Seq()
    links_title = DOWNLOADABLE_ATTRIBUTE_IDS["links_title"]
    separately = DOWNLOADABLE_ATTRIBUTE_IDS["links_purchased_separately"]
    for product in (p for p in catalog.products if p.type_id == "downloadable"):
        eid = product.entity_id
        translating = [
            (s[0], s[5]) for s in scopes.stores if s[2] in product.websites and s[5] != "en"
        ]
        varchars = t["catalog_product_entity_varchar"]
        varchars.add(None, links_title, 0, eid, _LINKS_TITLE[0])
        # Global in Magento (store 0 only); most downloadables sell their links one by one.
        # By the id, not the stream: every later draw stays what it was.
        t["catalog_product_entity_int"].add(None, separately, 0, eid, int(eid % 3 != 0))
        for store_id, locale in translating:
            if rng.random() < 0.5:
                varchars.add(None, links_title, store_id, eid, _LINKS_TITLE[_LOCALE_INDEX[locale]])
        for order, titles in enumerate(_LINKS[: rng.randint(1, 3)], start=1):
            lid = link_id.next()
            sample = rng.choice(("file", "url", None, None))
            t["downloadable_link"].add(
                lid,
                eid,
                order * 10,
                0 if rng.random() < 0.3 else rng.randint(1, 10),
                int(rng.random() < 0.2),
                None,
                f"/l/i/link-{eid}-{order}.zip",
                "file",
                f"https://files.example/preview/{eid}-{order}.mp4" if sample == "url" else None,
                f"/l/s/link-sample-{eid}-{order}.pdf" if sample == "file" else None,
                sample,
            )
            t["downloadable_link_title"].add(title_id.next(), lid, 0, titles[0])
            for store_id, locale in translating:
                if rng.random() < 0.5:
                    t["downloadable_link_title"].add(
                        title_id.next(), lid, store_id, titles[_LOCALE_INDEX[locale]]
                    )
            cents = 0 if rng.random() < 0.15 else rng.randint(1, 30) * 100 + 99  # some free
            t["downloadable_link_price"].add(price_id.next(), lid, 0, money(cents))
            if rng.random() < 0.3:
                website = rng.choice(product.websites)
                t["downloadable_link_price"].add(
                    price_id.next(), lid, website, money(cents + rng.randint(1, 5) * 100)
                )
