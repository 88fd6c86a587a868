"""Regenerate tests/snapshots/ after a deliberate signature change: python tests/write_snapshots.py"""

import json

from runtime.calls.schema import response_format
from signatures import ALL_SIGNATURES
from tests.helpers.paths import SNAPSHOTS

out = SNAPSHOTS
out.mkdir(exist_ok=True)
for sig in ALL_SIGNATURES:
    data = {d: response_format(sig, d) for d in ("json_schema", "llama_json_schema", "json_object_schema")}
    (out / f"{sig.__name__}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(out / f"{sig.__name__}.json")
