"""Products' media and URL fields as pure logic: gallery entries forwarded by the media entity,
role images, store-view fallbacks, URL rewrites and base URLs (feeds/media.py, feeds/urls.py)."""

from __future__ import annotations

from typing import Any

from feeds.catalog import CATALOG_PROJECTOR
from feeds.media import MEDIA_PROJECTOR
from feeds.memory import MemoryPipeline
from feeds.products import PRODUCTS
from feeds.reference import Reference, apply_reference
from feeds.urls import category_image_url
from tests.unit.feeds.test_products import BASE_PRODUCT, REFERENCE_ROWS, change

GALLERY = "catalog_product_entity_media_gallery"
VALUE = "catalog_product_entity_media_gallery_value"
LINK = "catalog_product_entity_media_gallery_value_to_entity"
VIDEO = "catalog_product_entity_media_gallery_value_video"
MEDIA_GALLERY_ID, IMAGE_ID, SMALL_ID, LABEL_ID = 90, 87, 88, 102

ATTRIBUTES = [
    (
        "eav_attribute",
        {
            "attribute_id": attribute_id,
            "entity_type_id": 4,
            "attribute_code": code,
            "backend_type": backend,
            "frontend_input": "media_image",
            "is_user_defined": 0,
        },
    )
    for attribute_id, code, backend in (
        (MEDIA_GALLERY_ID, "media_gallery", "static"),
        (IMAGE_ID, "image", "varchar"),
        (SMALL_ID, "small_image", "varchar"),
        (LABEL_ID, "image_label", "varchar"),
        (98, "url_key", "varchar"),
    )
]
CONFIG = [
    ("core_config_data", {"config_id": 10, "scope": "default", "scope_id": 0,
                          "path": "web/unsecure/base_url", "value": "http://shop.example/"}),
    ("core_config_data", {"config_id": 11, "scope": "stores", "scope_id": 2,
                          "path": "web/unsecure/base_media_url",
                          "value": "http://cdn.example/media/"}),
]  # fmt: skip


def varchar(value_id: int, attribute_id: int, store_id: int, value: str) -> tuple[str, Any]:
    row = {"value_id": value_id, "attribute_id": attribute_id, "store_id": store_id}
    return "catalog_product_entity_varchar", {**row, "entity_id": 42, "value": value}


def entry(value_id: int, file: str, media_type: str = "image") -> tuple[str, Any]:
    row = {"value_id": value_id, "attribute_id": MEDIA_GALLERY_ID, "value": file}
    return GALLERY, {**row, "media_type": media_type, "disabled": 0}


def link(value_id: int, product: int = 42) -> tuple[str, Any]:
    return LINK, {"value_id": value_id, "entity_id": product}


def value(record_id: int, value_id: int, store_id: int, **columns: Any) -> tuple[str, Any]:
    row = {"record_id": record_id, "value_id": value_id, "store_id": store_id, "entity_id": 42}
    return VALUE, {**row, "label": None, "position": None, "disabled": None, **columns}


def run(*rows: tuple[str, dict[str, Any]]) -> MemoryPipeline:
    pipeline = MemoryPipeline([CATALOG_PROJECTOR, MEDIA_PROJECTOR], strict=True)
    every = (*REFERENCE_ROWS, *ATTRIBUTES, *CONFIG, *BASE_PRODUCT, *rows)
    pipeline.feed(change(table, "r", after=row) for table, row in every)
    return pipeline


def by_view(pipeline: MemoryPipeline) -> dict[str, dict[str, Any]]:
    return {p["storeViewCode"]: p for p in pipeline.items(PRODUCTS.name).values()}


GALLERY_ROWS = (
    entry(1, "/s/h/shirt.jpg"),
    link(1),
    value(1, 1, 0, label="Front", position=2, disabled=0),
    value(2, 1, 2, label="Devant"),  # fr: its own label, store 0's position
    entry(2, "/s/h/shirt-back.jpg"),
    link(2),
    value(3, 2, 0, label=None, position=1, disabled=0),
    value(4, 2, 2, disabled=1),  # hidden on fr's product page
    entry(3, "/s/h/shirt-video.jpg", "external-video"),
    link(3),
    (VIDEO, {"value_id": 3, "store_id": 0, "provider": "youtube", "url": "https://y/1",
             "title": "Shirt", "description": "", "metadata": None}),
    varchar(10, IMAGE_ID, 0, "/s/h/shirt.jpg"),
    varchar(11, SMALL_ID, 0, "/s/h/shirt.jpg"),
    varchar(12, SMALL_ID, 2, "/s/h/shirt-back.jpg"),  # fr's small image is the back
    varchar(13, LABEL_ID, 0, "Shirt front"),
)  # fmt: skip


def test_images_videos_and_roles_per_store_view() -> None:
    items = by_view(run(*GALLERY_ROWS))
    default, fr = items["default"], items["fr"]
    base, cdn = (
        "http://shop.example/media/catalog/product",
        "http://cdn.example/media/catalog/product",
    )
    assert default["image"] == {"url": f"{base}/s/h/shirt.jpg", "label": "Shirt front"}
    assert default["smallImage"] == {"url": f"{base}/s/h/shirt.jpg", "label": None}
    assert default["thumbnail"] is None
    assert default["swatchImage"] is None
    # By position; the back has no label anywhere: an empty one.
    assert default["images"] == [
        {"resource": {"url": f"{base}/s/h/shirt-back.jpg", "label": "", "roles": []},
         "sortOrder": 1},
        {"resource": {"url": f"{base}/s/h/shirt.jpg", "label": "Front",
                      "roles": ["image", "small_image"]}, "sortOrder": 2},
    ]  # fmt: skip
    # fr: the media base of its own, its label, and the back hidden and its small image.
    assert fr["smallImage"]["url"] == f"{cdn}/s/h/shirt-back.jpg"
    assert fr["images"] == [
        {"resource": {"url": f"{cdn}/s/h/shirt-back.jpg", "label": "",
                      "roles": ["small_image", "hide_from_pdp"]}, "sortOrder": 1},
        {"resource": {"url": f"{cdn}/s/h/shirt.jpg", "label": "Devant", "roles": ["image"]},
         "sortOrder": 2},
    ]  # fmt: skip
    (video,) = default["videos"]
    assert video["video"] == {
        "videoProvider": "youtube",
        "videoUrl": "https://y/1",
        "videoTitle": "Shirt",
        "videoDescription": None,  # empty: null, as the exporter's record writes it
        "videoMetadata": None,
        "mediaType": "external-video",
    }
    assert video["preview"]["url"] == f"{base}/s/h/shirt-video.jpg"
    # The deprecated media_gallery[]: every entry, roles without the hidden one.
    assert [(m["url"].rsplit("/", 1)[1], m["types"]) for m in fr["media_gallery"]] == [
        ("shirt-video.jpg", []),
        ("shirt-back.jpg", ["small_image"]),
        ("shirt.jpg", ["image"]),
    ]


def test_no_selection_is_no_image() -> None:
    items = by_view(run(varchar(10, IMAGE_ID, 0, "no_selection")))
    assert items["default"]["image"] is None
    assert items["default"]["images"] == []


def test_an_unlinked_or_deleted_entry_leaves_the_product() -> None:
    pipeline = run(*GALLERY_ROWS)
    pipeline.feed([change(LINK, "d", before=link(2)[1])])
    assert [i["resource"]["url"][-9:] for i in by_view(pipeline)["default"]["images"]] == [
        "shirt.jpg"
    ]
    pipeline.feed([change(GALLERY, "d", before=entry(1, "/s/h/shirt.jpg")[1])])
    items = by_view(pipeline)["default"]
    assert items["images"] == []
    assert len(items["videos"]) == 1
    # A link arriving before its entry's row: the product hears of it once the row comes.
    pipeline.feed([change(LINK, "c", after=link(9)[1])])
    assert by_view(pipeline)["default"]["images"] == []
    pipeline.feed([change(GALLERY, "c", after=entry(9, "/n/e/new.jpg")[1])])
    assert [i["resource"]["url"][-7:] for i in by_view(pipeline)["default"]["images"]] == [
        "new.jpg"
    ]


def rewrite(rewrite_id: int, store_id: int, request: str, target: str, **more: Any) -> Any:
    row = {"url_rewrite_id": rewrite_id, "entity_type": "product", "entity_id": 42}
    columns = {"redirect_type": 0, "metadata": None, **more}
    return "url_rewrite", {
        **row,
        "store_id": store_id,
        "request_path": request,
        "target_path": target,
        **columns,
    }


def test_url_and_url_rewrites_per_store_view() -> None:
    rows = (
        varchar(20, 98, 0, "shirt"),
        rewrite(1, 1, "shirt.html", "catalog/product/view/id/42"),
        rewrite(
            2,
            1,
            "men/shirt.html",
            "catalog/product/view/id/42/category/10",
            metadata='{"category_id":"10"}',
        ),
        rewrite(3, 1, "old-shirt.html", "shirt.html", redirect_type=301),
        rewrite(4, 3, "hemd.html", "catalog/product/view/id/42"),  # another store view
        ("url_rewrite", {**rewrite(5, 1, "c.html", "x")[1], "entity_type": "category"}),
    )
    items = by_view(run(*rows))
    default, fr = items["default"], items["fr"]
    assert default["url"] == "http://shop.example/shirt.html"
    assert default["urlRewrites"] == [
        {"url": "http://shop.example/shirt.html", "parameters": [{"name": "id", "value": "42"}]},
        {
            "url": "http://shop.example/men/shirt.html",
            "parameters": [{"name": "id", "value": "42"}, {"name": "category", "value": "10"}],
        },
        {"url": "http://shop.example/old-shirt.html", "parameters": []},
    ]
    # No rewrite in fr: Magento's own route with the URL key.
    assert fr["url"] == "http://shop.example/catalog/product/view/id/42/s/shirt/"
    assert fr["urlRewrites"] == []


def test_store_codes_in_urls() -> None:
    use_store = {"config_id": 12, "scope": "default", "scope_id": 0, "path": "web/url/use_store"}
    items = by_view(run(("core_config_data", {**use_store, "value": "1"})))
    assert items["fr"]["url"].startswith("http://shop.example/fr/catalog/product/view/id/42/")


def test_category_image_urls_as_the_exporter_makes_them() -> None:
    base = "http://shop.example/media/"
    assert category_image_url("shirts.jpg", base) == (
        "http://shop.example/media/catalog/category/shirts.jpg"
    )
    assert category_image_url("/media/catalog/category/a/shirts.jpg", base) == (
        "http://shop.example/media/catalog/category/a/shirts.jpg"
    )
    assert category_image_url("/pub/media/wysiwyg/s.png", base) == (
        "http://shop.example/media/wysiwyg/s.png"
    )
    assert category_image_url("/elsewhere/s.png", base) == "/elsewhere/s.png"
    assert category_image_url(None, base) is None
    assert category_image_url("", base) is None


def test_configuration_by_scope_follows_every_change() -> None:
    store: dict[str, Any] = {}
    reference = Reference(store)

    def config(config_id: int, scope: str, scope_id: int, value: str | None) -> None:
        row = {"config_id": config_id, "scope": scope, "scope_id": scope_id, "path": "p/q/r"}
        apply_reference(store, change("core_config_data", "u", after={**row, "value": value}))

    assert reference.store_config("p/q/r", 3, 2) is None
    config(1, "default", 0, "everywhere")
    assert reference.store_config("p/q/r", 3, 2) == "everywhere"
    config(2, "websites", 2, "the website's")
    assert reference.store_config("p/q/r", 3, 2) == "the website's"
    assert reference.config("p/q/r", 1) == "everywhere"
    config(3, "stores", 3, "the store view's")
    assert reference.store_config("p/q/r", 3, 2) == "the store view's"
    assert reference.store_config("p/q/r", 4, 2) == "the website's"
    config(3, "stores", 3, None)  # set to null at the store view: null there, as stored
    assert reference.store_config("p/q/r", 3, 2) is None
    apply_reference(
        store,
        change(
            "core_config_data",
            "d",
            before={"config_id": 2, "scope": "websites", "scope_id": 2, "path": "p/q/r"},
        ),
    )
    assert reference.config("p/q/r", 2) == "everywhere"
