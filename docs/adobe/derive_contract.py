"""Derive ``feeds/adobe/contract.json`` from the exporter's record types (facts only: names,
types, array-ness, nesting), read from a local clone of ``magento/commerce-data-export``.
It is package data: the sender casts items to its types (feeds/wire.py).

    python docs/adobe/derive_contract.py /path/to/commerce-data-export > feeds/adobe/contract.json

Every module's ``etc/et_schema.xml`` declares records; a module may add fields to a record
another declares (bundles add to ``Product``), so records are merged by name. The
``Export`` record names each feed and the record type of its items. Scalar types become
the JSON types the exporter's ``Transformer`` casts them to (``ID`` and ``String`` to
strings, ``Int`` to integers, ``Float`` to numbers, ``Boolean`` to booleans).
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

SCALARS = {
    "ID": "string",
    "String": "string",
    "Int": "integer",
    "Float": "number",
    "Boolean": "boolean",
}
# Fields the exporter adds to every item of every feed, beside its record's: the feed
# table's columns (DataExporter/Model/Query/FeedQuery.php, Model/Batch/Feed/Iterator.php).
ENVELOPE = {
    "deleted": {"type": "Boolean", "repeated": False},
    "modifiedAt": {"type": "String", "repeated": False},
}


def derive(clone: Path) -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    files = sorted(clone.glob("*/etc/et_schema.xml"))
    records: dict[str, dict[str, dict[str, Any]]] = {}
    skip_null: set[str] = set()
    for path in files:
        # a clone the developer chose, of the exporter's own files: not untrusted input
        for record in ET.parse(path).getroot().iter("record"):  # noqa: S314
            fields = records.setdefault(record.get("name", ""), {})
            if record.get("skipNull") == "true":
                skip_null.add(record.get("name", ""))
            for element in record.findall("field"):
                fields[element.get("name", "")] = {
                    "type": element.get("type", ""),
                    "repeated": element.get("repeated") == "true",
                }
    export = records.pop("Export")
    unknown = {f["type"] for fs in records.values() for f in fs.values()} - {*records, *SCALARS}
    if unknown:
        raise SystemExit(f"types neither scalar nor record: {sorted(unknown)}")
    return {
        "source": {
            "repository": "magento/commerce-data-export",
            "commit": commit,
            "files": [str(p.relative_to(clone)) for p in files],
        },
        "scalars": SCALARS,
        "envelope": ENVELOPE,
        # Records whose null fields the Transformer leaves out of the item (et_schema.xsd's
        # skipNull): there a field may be absent.
        "skip_null": sorted(skip_null),
        "feeds": {name: field["type"] for name, field in sorted(export.items())},
        "records": {name: dict(sorted(fields.items())) for name, fields in sorted(records.items())},
    }


if __name__ == "__main__":
    print(json.dumps(derive(Path(sys.argv[1])), indent=1))
