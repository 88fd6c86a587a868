"""The one clock every stored timestamp comes from: UTC, ISO 8601, milliseconds."""

from __future__ import annotations

import datetime


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
