"""Sales: customers, orders and the documents, payments and reservations that follow them."""

from connectors.magento.sample.sales.orders import add_orders

__all__ = ["add_orders"]
