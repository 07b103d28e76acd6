"""The sample's swatches: color a visual swatch attribute (hex colors, one image, one store
view's own color), size a text one, on every profile, naming options that exist."""

from __future__ import annotations

import json
import re

import pytest

from connectors.magento.sample import generate
from connectors.magento.sample.fixed_ids import PRODUCT_ATTRIBUTE_IDS
from tests.unit.connectors.conftest import rows_of

COLOR = PRODUCT_ATTRIBUTE_IDS["color"]


@pytest.mark.parametrize("profile", ["tiny", "small", "medium"])
def test_color_and_size_options_have_swatches_on_every_profile(profile: str) -> None:
    data = generate(profile, 42)
    options = {o["option_id"]: o["attribute_id"] for o in rows_of(data, "eav_attribute_option")}
    swatches = rows_of(data, "eav_attribute_option_swatch")
    assert len({(s["option_id"], s["store_id"]) for s in swatches}) == len(swatches)  # unique
    at_store_0 = {s["option_id"]: s for s in swatches if s["store_id"] == 0}
    swatched = {options[o] for o in at_store_0}
    assert COLOR in swatched
    assert len(swatched) == 2  # color and size
    size = (swatched - {COLOR}).pop()
    assert {o for o, a in options.items() if a in swatched} == set(at_store_0)
    colors = [s for s in at_store_0.values() if options[s["option_id"]] == COLOR]
    assert {s["type"] for s in colors} == {1, 2}
    assert all(re.fullmatch(r"#[0-9a-f]{6}", str(s["value"])) for s in colors if s["type"] == 1)
    assert all(str(s["value"]).startswith("/") for s in colors if s["type"] == 2)
    sizes = [s for s in at_store_0.values() if options[s["option_id"]] == size]
    assert {s["type"] for s in sizes} == {0}
    kinds = {
        params[1]: json.loads(str(params[0]))["swatch_input_type"]
        for statement, params in data.updates
        if "additional_data" in statement
    }
    assert kinds == {COLOR: "visual", size: "text"}


def test_a_store_view_has_a_swatch_of_its_own() -> None:
    swatches = rows_of(generate("small", 42), "eav_attribute_option_swatch")
    assert [s["type"] for s in swatches if s["store_id"] != 0] == [1]
