"""The generated products as later steps see them (stock, category links, order lines).

Rows are written as products are created; :class:`Product` keeps what other tables need to
refer back to a product without reading rows again.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Product:
    entity_id: int
    sku: str
    type_id: str
    name: str
    attribute_set_id: int
    price: int  # cents in website 1 (0 for configurable parents, which carry no price)
    price_w2: int  # cents in website 2 (website-scope override or the same)
    grams: int
    websites: tuple[int, ...]
    parent_id: int | None = None
    child_ids: list[int] = field(default_factory=list)
    super_attributes: list[int] = field(default_factory=list)
    options: dict[int, int] = field(default_factory=dict)  # attribute id -> option id
    qty: int = 0


@dataclass
class Catalog:
    """Every product in id order, and by id."""

    products: list[Product] = field(default_factory=list)
    by_id: dict[int, Product] = field(default_factory=dict)

    def add(self, product: Product) -> None:
        self.products.append(product)
        self.by_id[product.entity_id] = product
