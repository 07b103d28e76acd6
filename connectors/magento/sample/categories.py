"""Category trees, their EAV values, and which products each category lists.

Two trees: Magento's "Default Category" (id 2, from defaults.sql) for the main website, and a
generated second root for the second website. Both draw from the "categories" random stream;
product assignments draw from their own stream, after the products exist.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from connectors.magento.sample import fmt
from connectors.magento.sample.catalog import Catalog
from connectors.magento.sample.context import EPOCH, Context, Seq
from connectors.magento.sample.fixed_ids import (
    CATEGORY_ATTRIBUTE_IDS,
    CATEGORY_ATTRIBUTE_SET_ID,
    DEFAULT_CATEGORY_ID,
    FIRST_CATEGORY_VALUE_ID,
    ROOT_CATEGORY_ID,
    SECOND_ROOT_CATEGORY_ID,
)
from connectors.magento.sample.scopes import Scopes
from connectors.magento.sample.vocabulary import CATEGORY_WORDS, SENTENCES


@dataclass(slots=True)
class Category:
    entity_id: int
    parent_id: int
    path: str
    level: int
    position: int
    names: tuple[str, str, str]
    url_key: str
    url_path: str
    tree_root: int
    children_count: int = 0
    child_keys: set[str] = field(default_factory=set)


def add_categories(ctx: Context, scopes: Scopes) -> list[Category]:
    """Write both category trees; return the generated categories (not 1 and 2) in id order."""
    rng = ctx.rng("categories")
    created = EPOCH - timedelta(days=400)
    categories, main_tree = _trees(ctx, rng)
    # children_count is the number of descendants (Magento increments it on every ancestor).
    by_id = {c.entity_id: c for c in categories}
    # Category 2 (from defaults.sql) is below root 1 too, hence the + 1.
    counts = {ROOT_CATEGORY_ID: len(categories) + 1, DEFAULT_CATEGORY_ID: main_tree}
    for c in categories:
        for ancestor in c.path.split("/")[1:-1]:
            if int(ancestor) in by_id:
                by_id[int(ancestor)].children_count += 1
    fixed = fmt.ts(created)
    for cid, count in counts.items():
        # Explicit updated_at: otherwise ON UPDATE CURRENT_TIMESTAMP would stamp the clock.
        ctx.updates.append(
            (
                "UPDATE `catalog_category_entity` SET `children_count` = %s, `updated_at` = %s "
                "WHERE `entity_id` = %s",
                (count, fixed, cid),
            )
        )
    _category_rows(ctx, scopes, rng, created, categories)
    return categories


def _trees(ctx: Context, rng: random.Random) -> tuple[list[Category], int]:
    """Both trees' categories, and how many of them are in the main tree."""
    ids = Seq(SECOND_ROOT_CATEGORY_ID)
    total = ctx.profile.categories  # generated categories, the second root included
    second_tree = max(3, round((total - 1) * 0.15))
    main_tree = total - 1 - second_tree
    root2 = Category(
        DEFAULT_CATEGORY_ID,
        ROOT_CATEGORY_ID,
        "1/2",
        1,
        1,
        ("Default Category", "Default Category", "Default Category"),
        "",
        "",
        DEFAULT_CATEGORY_ID,
    )
    root3 = Category(
        ids.next(),
        ROOT_CATEGORY_ID,
        f"1/{SECOND_ROOT_CATEGORY_ID}",
        1,
        2,
        ("Second Root", "Deuxième racine", "Zweite Wurzel"),
        "second-root",
        "",
        SECOND_ROOT_CATEGORY_ID,
    )
    categories = [root3]
    for root, count in ((root2, main_tree), (root3, second_tree)):
        nodes = [root]
        top_level = max(2, min(8, count // 12))
        for i in range(count):
            if i < top_level:
                parent = root
            else:
                # Any node up to four levels below the root may receive a child: early
                # categories collect more children, as real trees do.
                candidates = [n for n in nodes if n.level < root.level + 4]
                parent = rng.choice(candidates)
            words = rng.choice(CATEGORY_WORDS)
            key = fmt.slug(words[0])
            suffix = 2
            names: tuple[str, str, str] = (words[0], words[1], words[2])
            while key in parent.child_keys:
                # Sibling url keys must differ, or two categories would share a url_path
                # (the categories feed identifies an item by urlPath + storeViewCode).
                names = (f"{words[0]} {suffix}", f"{words[1]} {suffix}", f"{words[2]} {suffix}")
                key = fmt.slug(names[0])
                suffix += 1
            parent.child_keys.add(key)
            cid = ids.next()
            url_path = f"{parent.url_path}/{key}" if parent.url_path else key
            node = Category(
                cid,
                parent.entity_id,
                f"{parent.path}/{cid}",
                parent.level + 1,
                len(parent.child_keys),
                names,
                key,
                url_path,
                root.entity_id,
            )
            nodes.append(node)
            categories.append(node)
    return categories, main_tree


def _category_rows(
    ctx: Context,
    scopes: Scopes,
    rng: random.Random,
    created: datetime,
    categories: list[Category],
) -> None:
    """The entity rows and EAV values of the categories."""
    t = ctx.tables
    a = CATEGORY_ATTRIBUTE_IDS
    varchar, integer, text = (
        t["catalog_category_entity_varchar"],
        t["catalog_category_entity_int"],
        t["catalog_category_entity_text"],
    )
    decimal, dtime = t["catalog_category_entity_decimal"], t["catalog_category_entity_datetime"]
    # One value_id sequence per EAV table, above the values of defaults.sql's categories.
    vid = {name: Seq(FIRST_CATEGORY_VALUE_ID) for name in ("v", "i", "t", "d", "dt")}
    for c in categories:
        stamp = created + timedelta(minutes=c.entity_id)
        updated = stamp + timedelta(days=rng.randint(0, 300))
        t["catalog_category_entity"].add(
            c.entity_id,
            CATEGORY_ATTRIBUTE_SET_ID,
            c.parent_id,
            fmt.ts(stamp),
            fmt.ts(updated),
            c.path,
            c.position,
            c.level,
            c.children_count,
        )
        eid = c.entity_id
        varchar.add(vid["v"].next(), a["name"], 0, eid, c.names[0])
        integer.add(
            vid["i"].next(), a["is_active"], 0, eid, int(c.level == 1 or rng.random() < 0.95)
        )
        integer.add(vid["i"].next(), a["include_in_menu"], 0, eid, int(rng.random() < 0.9))
        integer.add(vid["i"].next(), a["is_anchor"], 0, eid, int(rng.random() < 0.8))
        if c.level == 1:
            continue  # a store root has no URL of its own
        varchar.add(vid["v"].next(), a["url_key"], 0, eid, c.url_key)
        varchar.add(vid["v"].next(), a["url_path"], 0, eid, c.url_path)
        varchar.add(
            vid["v"].next(),
            a["display_mode"],
            0,
            eid,
            rng.choice(("PRODUCTS", "PRODUCTS", "PRODUCTS_AND_PAGE")),
        )
        if rng.random() < 0.2:
            varchar.add(vid["v"].next(), a["meta_title"], 0, eid, f"{c.names[0]} | Shop")
        if rng.random() < 0.1:
            varchar.add(vid["v"].next(), a["image"], 0, eid, f"category-{eid}.jpg")
        if rng.random() < 0.1:
            varchar.add(vid["v"].next(), a["default_sort_by"], 0, eid, "price")
            text.add(vid["t"].next(), a["available_sort_by"], 0, eid, "position,name,price")
        # Store-view overrides: translated names in the French/German views.
        for store_id, locale in scopes.locale_stores:
            if rng.random() < 0.6:
                name = c.names[1] if locale == "fr" else c.names[2]
                varchar.add(vid["v"].next(), a["name"], store_id, eid, name)
        if rng.random() < 0.3:
            sentence = rng.choice(SENTENCES)
            text.add(
                vid["t"].next(), a["description"], 0, eid, f"<p>{c.names[0]}: {sentence[0]}</p>"
            )
            for store_id, locale in scopes.locale_stores:
                if rng.random() < 0.4:
                    local = sentence[1] if locale == "fr" else sentence[2]
                    name = c.names[1] if locale == "fr" else c.names[2]
                    text.add(
                        vid["t"].next(),
                        a["description"],
                        store_id,
                        eid,
                        f"<p>{name}: {local}</p>",
                    )
        if rng.random() < 0.1:
            text.add(
                vid["t"].next(), a["meta_keywords"], 0, eid, f"{c.names[0].lower()}, shop, sale"
            )
        if rng.random() < 0.1:
            decimal.add(
                vid["d"].next(),
                a["filter_price_range"],
                0,
                eid,
                fmt.price6(rng.choice((1000, 2500, 5000))),
            )
        if rng.random() < 0.05:
            start = EPOCH + timedelta(days=rng.randint(-60, 30))
            dtime.add(vid["dt"].next(), a["custom_design_from"], 0, eid, fmt.ts(start))
            dtime.add(
                vid["dt"].next(), a["custom_design_to"], 0, eid, fmt.ts(start + timedelta(days=30))
            )


def add_category_products(ctx: Context, categories: list[Category], catalog: Catalog) -> None:
    """List each product a shopper can find in its websites' trees (1-3 main, 1-2 second)."""
    rng = ctx.rng("category_products")
    main = [c for c in categories if c.tree_root == DEFAULT_CATEGORY_ID]
    second = [c for c in categories if c.tree_root == SECOND_ROOT_CATEGORY_ID and c.level > 1]
    ids = Seq()
    positions: dict[int, int] = {}
    links = ctx.tables["catalog_category_product"]
    for prod in catalog.products:
        if prod.parent_id is not None:
            continue  # children are reached through their configurable
        chosen: list[Category] = []
        if 1 in prod.websites:
            chosen += rng.sample(main, rng.randint(1, 3))
        if 2 in prod.websites:
            chosen += rng.sample(second, rng.randint(1, 2))
        for c in chosen:
            positions[c.entity_id] = positions.get(c.entity_id, 0) + 1
            links.add(ids.next(), c.entity_id, prod.entity_id, positions[c.entity_id])
