"""Column values as the exact text MariaDB stores for them.

Amounts are kept as integer cents, grams or units while generating and only turned into
``DECIMAL`` text here, by integer arithmetic: floats would round differently across
platforms and break the promise that a seed always yields byte-identical rows.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final


def dec(units: int, scale_in: int, scale_out: int) -> str:
    """Exact decimal text for an integer count of 10**-scale_in (no float rounding)."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**scale_in)
    if scale_in == 0:
        return f"{sign}{whole}." + "0" * scale_out
    return f"{sign}{whole}.{frac:0{scale_in}d}" + "0" * (scale_out - scale_in)


def money(cents: int) -> str:
    """Cents as a DECIMAL(20,4) literal."""
    return dec(cents, 2, 4)


def price6(cents: int) -> str:
    """Cents as a DECIMAL(20,6) literal (EAV and tier prices)."""
    return dec(cents, 2, 6)


def qty(units: int) -> str:
    """Whole units as a quantity literal with four decimals."""
    return dec(units, 0, 4)


def weight(grams: int, scale: int = 4) -> str:
    """Grams as a weight in kilograms with ``scale`` decimals."""
    return dec(grams, 3, scale)


def ts(moment: datetime) -> str:
    """A DATETIME/TIMESTAMP literal (``YYYY-MM-DD HH:MM:SS``)."""
    return moment.isoformat(" ")


def pct_of(cents: int, basis_points: int) -> int:
    """Round-half-up share of an amount, in cents."""
    return (cents * basis_points + 5_000) // 10_000


_SLUG_STRIP: Final = re.compile(r"[^a-z0-9]+")
_ASCII_FOLD: Final = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "é": "e",
        "è": "e",
        "à": "a",
        "ç": "c",
        "É": "e",
        "ê": "e",
        "ô": "o",
        "û": "u",
        "î": "i",
    }
)


def slug(text: str) -> str:
    """A URL key: lower-case ASCII words joined by ``-`` (accents folded, not dropped)."""
    return _SLUG_STRIP.sub("-", text.lower().translate(_ASCII_FOLD)).strip("-")
