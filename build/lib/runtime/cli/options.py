"""Option groups: options several commands share, declared once (as sqlite-utils shares its click decorators).

A :class:`Group` is a set of typer options and a function that turns their values into what
the command needs (a dict of run settings, say). ``@options(COMMITTEE, OUTPUT)`` adds the
groups' options to a command, and the command receives one argument per group, named as the
group::

    @app.command()
    @options(COMMITTEE)
    def curate(data: Data_, committee: dict) -> None:
        config = SynthConfig(**committee)

``gra curate --help`` lists the group's options after the command's own.
"""

from __future__ import annotations

import copy
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin


@dataclass(frozen=True)
class Group:
    """Typer options that travel together, and what their values become (``build``)."""

    name: str
    parameters: tuple[inspect.Parameter, ...]
    build: Callable[[dict[str, Any]], Any] = dict

    @classmethod
    def of(
        cls, name: str, build: Callable[[dict[str, Any]], Any] = dict, panel: str | None = None, **options: Any
    ) -> Group:
        """A group from ``option_name=(Annotated type, default)`` pairs, shown under ``panel`` in ``--help``."""
        params = tuple(
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=_in_panel(t, panel), default=d)
            for n, (t, d) in options.items()
        )
        return cls(name, params, build)


def _in_panel(annotation: Any, panel: str | None) -> Any:
    """``Annotated[T, typer.Option(...)]`` with the option shown under ``panel`` in ``--help``."""
    if panel is None or get_origin(annotation) is not Annotated:
        return annotation
    base, *extras = get_args(annotation)
    extras = [copy.copy(e) for e in extras]
    for e in extras:
        if hasattr(e, "rich_help_panel"):
            e.rich_help_panel = panel
    return Annotated[(base, *extras)]


def options(*groups: Group) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add each group's options to a typer command; the command gets one keyword argument per group."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(fn, eval_str=True)
        names = {g.name for g in groups}
        own = [
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in signature.parameters.values() if p.name not in names
        ]
        added = [p for g in groups for p in g.parameters]

        @functools.wraps(fn)
        def command(**values: Any) -> Any:
            grouped = {g.name: g.build({p.name: values.pop(p.name) for p in g.parameters}) for g in groups}
            return fn(**values, **grouped)

        command.__signature__ = signature.replace(parameters=own + added)
        command.__annotations__ = {p.name: p.annotation for p in own + added}  # evaluated: typer reads these too
        del command.__wrapped__  # typer must read the signature above, not fn's
        return command

    return wrap
