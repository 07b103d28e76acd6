"""Magento source schema and deterministic sample data for the local stack and the tests.

Two halves, kept apart so the generator can be tested without a database:

* :func:`generate` is pure: ``(profile, seed)`` -> rows for every table, built only from
  ``random.Random`` instances seeded from the seed and from a fixed epoch (never the clock), so
  the same seed always yields byte-identical rows.
* :func:`load_sample` writes those rows in bulk (``LOAD DATA LOCAL INFILE`` from temporary TSV
  files, or multi-row ``INSERT`` batches when the connection cannot send local files) in a single
  transaction, together with the marker row that :func:`loaded_profile` reads back.

:func:`apply_schema` creates the Magento tables (``schema.sql``) and Magento's fixed default rows
(``defaults.sql``); both are idempotent. The shapes mimic Magento's performance-toolkit profiles
(``medium`` is Adobe's sizing example); see :data:`PROFILES`.

Where things are:

* ``profiles`` - :class:`Profile` and :data:`PROFILES`; ``vocabulary`` - words for names;
  ``fixed_ids`` - ids shared with defaults.sql.
* ``model`` - tables, columns and rows produced; ``fmt`` - exact column-value text;
  ``context`` - what the steps share (random streams, tables, the epoch).
* ``generator`` runs the steps in order: ``scopes``, ``attributes``, ``categories``,
  ``products`` (``product_rows``, ``configurables``, ``catalog``), ``inventory``, ``sales``,
  ``permissions``, ``urls`` (base URLs, url_rewrite), ``media`` (galleries, role images).
* ``load`` - the database side.
"""

from connectors.magento.sample.fixed_ids import CATEGORY_ATTRIBUTE_IDS, PRODUCT_ATTRIBUTE_IDS
from connectors.magento.sample.generator import generate
from connectors.magento.sample.load import (
    DEFAULTS_SQL,
    SAMPLE_MARKER_TABLE,
    SCHEMA_SQL,
    apply_schema,
    load_sample,
    loaded_profile,
    split_sql,
)
from connectors.magento.sample.model import SampleData, Table
from connectors.magento.sample.profiles import PROFILES, Profile

__all__ = [
    "CATEGORY_ATTRIBUTE_IDS",
    "DEFAULTS_SQL",
    "PRODUCT_ATTRIBUTE_IDS",
    "PROFILES",
    "SAMPLE_MARKER_TABLE",
    "SCHEMA_SQL",
    "Profile",
    "SampleData",
    "Table",
    "apply_schema",
    "generate",
    "load_sample",
    "loaded_profile",
    "split_sql",
]
