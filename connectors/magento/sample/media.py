"""Product media: gallery entries (images, a few videos) and the role attributes naming them.

The products step already gave most products a base image (``image``, ``small_image`` and
``thumbnail`` at store 0, one file): those products get a gallery whose first image is that
file, and up to three more; the others get no image, and half of them Magento's
``no_selection`` in the three roles. The further files are named as Magento's uploader
disperses them, ``/<c1>/<c2>/<url key>-<n>.jpg`` after the name's first two characters (the
base image keeps the products step's path). Per-store labels, positions and hidden flags,
videos, and entries shared by two products (a duplicated product keeps its original's
entries) make the rarer shapes. Draws come from the "media" random stream only.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from typing import Final

from connectors.magento.sample.catalog import Catalog, Product
from connectors.magento.sample.context import Context, Seq
from connectors.magento.sample.fixed_ids import MEDIA_ATTRIBUTE_IDS, PRODUCT_ATTRIBUTE_IDS
from connectors.magento.sample.model import Table, eav_values
from connectors.magento.sample.scopes import Scopes
from connectors.magento.sample.vocabulary import SENTENCES

NO_SELECTION: Final = "no_selection"
IMAGE: Final = "image"
VIDEO: Final = "external-video"

#: Gallery labels in English, French and German (the store views' locales).
_LABELS: Final = (
    ("Front view", "Vue de face", "Vorderansicht"),
    ("Back view", "Vue de dos", "Rückansicht"),
    ("Side view", "Vue de côté", "Seitenansicht"),
    ("Detail", "Détail", "Detailansicht"),
    ("Worn", "Porté", "Getragen"),
    ("Packaging", "Emballage", "Verpackung"),
)
_LOCALE_INDEX: Final = {"en": 0, "fr": 1, "de": 2}
_VIDEO_ID_CHARS: Final = string.ascii_letters + string.digits + "-_"
_ROLES: Final = ("image", "small_image", "thumbnail")


def dispersed(name: str) -> str:
    """A media file path as Magento's uploader stores it: ``/a/b/ab…`` (a dot becomes ``_``)."""
    head = [("_" if ch == "." else ch) for ch in name[:2]]
    return "/" + "/".join(head) + "/" + name


@dataclass
class _Gallery:
    """The gallery tables, their ids and each product's next position."""

    tables: dict[str, Table]
    value_ids: Seq = field(default_factory=Seq)
    record_ids: Seq = field(default_factory=Seq)
    entries: dict[int, int] = field(default_factory=dict)

    def entry(self, eid: int, file: str, media_type: str, label: str | None) -> int:
        """A new gallery entry linked to the product; returns its value_id."""
        value_id = self.value_ids.next()
        self.tables["catalog_product_entity_media_gallery"].add(
            value_id, MEDIA_ATTRIBUTE_IDS["media_gallery"], file, media_type, 0
        )
        self.link(value_id, eid, label)
        return value_id

    def link(self, value_id: int, eid: int, label: str | None) -> int:
        """Link an entry to a product at its next position (store 0); returns the position."""
        position = self.entries.get(eid, 0) + 1
        self.entries[eid] = position
        self.tables["catalog_product_entity_media_gallery_value_to_entity"].add(value_id, eid)
        self.value(value_id, 0, eid, label=label, position=position, disabled=0)
        return position

    def value(
        self,
        value_id: int,
        store_id: int,
        eid: int,
        *,
        label: str | None,
        position: int | None,
        disabled: int,
    ) -> None:
        """A label/position/hidden row of an entry for one product in one store (0: all)."""
        self.tables["catalog_product_entity_media_gallery_value"].add(
            self.record_ids.next(), value_id, store_id, eid, label, position, disabled
        )


def add_media(ctx: Context, scopes: Scopes, catalog: Catalog) -> None:
    """Write every product's gallery entries and role attributes, then the shared entries."""
    writer = _MediaWriter(ctx, scopes, ctx.rng("media"))
    for prod in catalog.products:
        writer.add(prod)
    writer.share(catalog)


class _MediaWriter:
    def __init__(self, ctx: Context, scopes: Scopes, rng: random.Random) -> None:
        self.rng = rng
        self.gallery = _Gallery(ctx.tables)
        self.video = ctx.tables["catalog_product_entity_media_gallery_value_video"]
        self.varchar = ctx.tables["catalog_product_entity_varchar"]
        self.a = {**PRODUCT_ATTRIBUTE_IDS, **MEDIA_ATTRIBUTE_IDS}
        roles = [self.a[code] for code in (*_ROLES, "swatch_image", "image_label", "url_key")]
        values = eav_values(self.varchar, roles)
        self.url_keys = values.pop(self.a["url_key"])
        self.base_images = values[self.a["image"]]
        # (entity_id, attribute_id, store_id): the varchar table's unique key.
        self.taken = {(eid, aid, store) for aid, rows in values.items() for eid, store in rows}
        self.scopes = scopes
        self._stores: dict[tuple[int, ...], list[tuple[int, str]]] = {}
        #: (value_id, owner, store-0 label) of the entries a duplicate will share.
        self.shared: list[tuple[int, int, str | None]] = []

    def add(self, prod: Product) -> None:
        """The product's images and video, then its role attributes."""
        rng, eid = self.rng, prod.entity_id
        key = str(self.url_keys[eid, 0])
        stores = self._stores_of(prod.websites)
        first = self.base_images.get((eid, 0))
        files: list[str] = []
        first_label: str | None = None
        if first is not None:
            files = [str(first)] + [
                dispersed(f"{key}-{n}.jpg") for n in range(2, rng.randint(1, 4) + 1)
            ]
            for n, file in enumerate(files, start=1):
                label = None if rng.random() < 0.3 else rng.choice(_LABELS)[0]
                first_label = label if n == 1 else first_label
                value_id = self.gallery.entry(eid, file, IMAGE, label)
                if stores and rng.random() < 0.1:
                    store = rng.choice(stores)
                    self._store_override(value_id, eid, store, (n, len(files), label))
                if rng.random() < 0.01:
                    self.shared.append((value_id, eid, label))
        if rng.random() < 0.03:
            self._video(prod, key)
        self._roles(prod, files, first_label, stores)

    def _stores_of(self, websites: tuple[int, ...]) -> list[tuple[int, str]]:
        """(store_id, locale) of the store views of the websites."""
        found = self._stores.get(websites)
        if found is None:
            found = [(s[0], s[5]) for s in self.scopes.stores if s[2] in websites]
            self._stores[websites] = found
        return found

    def _store_override(
        self, value_id: int, eid: int, store: tuple[int, str], default: tuple[int, int, str | None]
    ) -> None:
        """Another label and/or position in one store view; now and then hidden there.

        ``default`` is the entry's (position, number of images, label) at store 0; a column
        the store view does not override stays NULL and falls back to store 0's.
        """
        rng = self.rng
        store_id, locale = store
        position, count, label = default
        kind = rng.choice(("label", "label", "position", "both"))
        own_label: str | None = None
        own_position: int | None = None
        if kind != "position":
            choices = [lab[_LOCALE_INDEX[locale]] for lab in _LABELS if lab[0] != label]
            own_label = rng.choice(choices)
        if kind != "label":
            own_position = rng.choice([p for p in range(1, count + 2) if p != position])
        disabled = int(rng.random() < 0.2)
        self.gallery.value(
            value_id, store_id, eid, label=own_label, position=own_position, disabled=disabled
        )

    def _video(self, prod: Product, key: str) -> None:
        """An external video (a YouTube link) with its preview image, after the images."""
        rng, eid = self.rng, prod.entity_id
        preview = dispersed(f"{key}-{self.gallery.entries.get(eid, 0) + 1}.jpg")
        title = f"{prod.name} in use"
        value_id = self.gallery.entry(eid, preview, VIDEO, title)
        video_id = "".join(rng.choices(_VIDEO_ID_CHARS, k=11))
        self.video.add(
            value_id,
            0,
            "youtube",
            f"https://www.youtube.com/watch?v={video_id}",
            title,
            rng.choice(SENTENCES)[0],
            None,
        )

    def _roles(
        self, prod: Product, files: list[str], label: str | None, stores: list[tuple[int, str]]
    ) -> None:
        """swatch_image and image_label beside the existing base image; no_selection without."""
        rng, a, eid = self.rng, self.a, prod.entity_id
        if not files:
            if rng.random() < 0.5:
                for code in _ROLES:
                    self._varchar(eid, a[code], 0, NO_SELECTION)
            return
        self._varchar(eid, a["swatch_image"], 0, files[0] if rng.random() < 0.5 else NO_SELECTION)
        if rng.random() < 0.2:
            self._varchar(eid, a["image_label"], 0, label or prod.name)
        if len(files) >= 2 and stores and rng.random() < 0.05:
            self._varchar(eid, a["image"], rng.choice(stores)[0], files[1])

    def _varchar(self, eid: int, attribute_id: int, store_id: int, value: str) -> None:
        if (eid, attribute_id, store_id) not in self.taken:
            self.taken.add((eid, attribute_id, store_id))
            self.varchar.add(None, attribute_id, store_id, eid, value)

    def share(self, catalog: Catalog) -> None:
        """Link each shared entry to a second product too, after that product's own entries."""
        rng = self.rng
        for value_id, owner, label in self.shared:
            other = rng.choice(catalog.products).entity_id
            if other != owner:
                self.gallery.link(value_id, other, label)
