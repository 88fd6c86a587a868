"""Engine kinds: how an engine of each ``kind`` in a pool file becomes server processes on this machine.

Each kind registers itself where its server lives (``llama_cpp.py``, ``sglang.py``), so adding
a kind is one module (its :class:`ServerProcess` and its :class:`Kind`) plus its config model in
:mod:`runtime.config`. The supervisor asks the registry, never tests types:

- :meth:`Kind.on_cpu`: whether the engine computes on this machine's cores (it gets cores of its own);
- :meth:`Kind.servers`: the named server processes to start for it (none for an ``endpoint``,
  which runs elsewhere and is only checked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.engines.process import ServerProcess


@dataclass(frozen=True)
class Place:
    """What a kind needs to make one engine's servers: where logs go, the run's key, ports, its cores, its name."""

    log_dir: Path
    api_key: str
    port: Callable[[], int]
    cores: frozenset[int] | None
    served_model_name: str

    def log(self, server: str) -> Path:
        return self.log_dir / f"engine-{server}.log"


class Kind:
    """One engine kind; the default is a kind that starts nothing here (an ``endpoint``)."""

    name = "endpoint"

    def on_cpu(self, spec: Any) -> bool:
        return False

    def servers(self, engine: str, spec: Any, place: Place) -> list[tuple[str, ServerProcess]]:
        return []


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Make ``kind`` the one that serves engines whose ``kind`` is ``kind.name``."""
    KINDS[kind.name] = kind
    return kind


def kind_of(spec: Any) -> Kind:
    """The registered kind of an engine's config (a pool file's ``[engines.NAME]`` table)."""
    return KINDS[spec.kind]


register(Kind())
