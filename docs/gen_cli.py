"""The CLI reference page, rendered from the typer app itself: nothing in it is typed by hand.

Every command of ``gra`` (sub-commands of groups such as ``gra pack`` included) becomes one
section: its usage line, its help text, and one table per help panel (``Options``,
``Arguments``, and the option groups' own panels, ``Committee`` and ``Run directory``,
declared in ``runtime/cli/common.py``). Each option row is what ``gra CMD --help`` prints
for it, default and bounds included, so the page says what the code does.

    python docs/gen_cli.py > cli.md          # the page, to read or diff

As an MkDocs hook (``hooks:`` in ``mkdocs.yml``) it adds the page as ``reference/cli.md``
on every build.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = "reference/cli.md"
INTRO = """# CLI reference

Generated from the `gra` command line itself (`docs/gen_cli.py`) on every docs build: each
row is what `gra COMMAND --help` prints. For what the commands do and how they fit together,
start with [Getting started](../getting-started.md) and [Concepts](../concepts/loop.md).
"""


@dataclass(frozen=True)
class Command:
    """One command as the reference shows it: its path (``gra pack show``), usage, help and options by panel."""

    path: str
    usage: str
    help: str
    panels: dict[str, list[tuple[str, str]]]

    @property
    def anchor(self) -> str:
        """The section's id, e.g. ``gra-pack-show``."""
        return self.path.replace(" ", "-")


def app_command():
    """The click command behind the typer app, with the repository's own ``runtime`` first on the path."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import typer

    import runtime.cli

    return typer.main.get_command(runtime.cli.app)


def _usage(path: str, command) -> str:
    """``gra inspect [OPTIONS] RUN_DIR SAMPLE_ID``: options first, then the arguments in order."""
    arguments = [p.name.upper() for p in command.params if p.param_type_name == "argument"]
    tail = ["COMMAND [ARGS]..."] if hasattr(command, "commands") else []
    return " ".join([path, "[OPTIONS]", *arguments, *tail])


def _panels(command, ctx) -> dict[str, list[tuple[str, str]]]:
    """Help panel -> (option as written, its help) rows, in the order ``--help`` shows them."""
    panels: dict[str, list[tuple[str, str]]] = {}
    for param in command.params:
        record = param.get_help_record(ctx)
        if record is None or getattr(param, "hidden", False):
            continue
        default = "Arguments" if param.param_type_name == "argument" else "Options"
        panels.setdefault(getattr(param, "rich_help_panel", None) or default, []).append(record)
    return panels


def commands(group=None, ctx=None) -> Iterator[Command]:
    """Every command of the app, depth first, in the order they were registered."""
    group = group or app_command()
    ctx = ctx or group.make_context("gra", [], resilient_parsing=True)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = type(ctx)(command, info_name=name, parent=ctx, resilient_parsing=True)
        help_text = (command.help or "").strip()
        yield Command(sub.command_path, _usage(sub.command_path, command), help_text, _panels(command, sub))
        if hasattr(command, "commands"):
            yield from commands(command, sub)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def section(command: Command) -> str:
    """One command's section: heading, usage, help, and a table per panel."""
    lines = [f"## `{command.path}` {{#{command.anchor}}}", "", "```", command.usage, "```", ""]
    lines += [command.help, ""] if command.help else []
    for panel, rows in command.panels.items():
        lines += [f"**{panel}**", "", "| name | help |", "|---|---|"]
        lines += [f"| `{opt}` | {_cell(text)} |" for opt, text in rows]  # a pipe inside a code span stays a pipe
        lines.append("")
    return "\n".join(lines)


def page(all_commands: list[Command] | None = None) -> str:
    """The whole reference page: an index of commands, then one section per command."""
    all_commands = list(commands()) if all_commands is None else all_commands
    index = [f"- [`{c.path}`](#{c.anchor}): {c.help.splitlines()[0] if c.help else ''}" for c in all_commands]
    return "\n".join([INTRO, *index, "", *(section(c) for c in all_commands)])


def on_files(files, config):
    """MkDocs hook: add the generated reference page to the build."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, PAGE, content=page()))
    return files


if __name__ == "__main__":
    print(page())
