"""``gra export`` as a function: a run's kept rows in the formats trainers read.

The rows are those the command handed to its user: ``data.jsonl`` of ``gra synth``,
``refined.jsonl`` of ``gra refine``, ``accepted.jsonl`` of ``gra curate``. Each format
writes one dataset per split: ``gra`` (every row), or with ``cumulative`` the paper's
per-round training sets ``gra_rnd1`` (round 1), ``gra_rnd2`` (rounds 1-2), and so on.

- ``alpaca`` and ``sharegpt``: LLaMA-Factory's JSON files, each registered in the folder's
  ``dataset_info.json`` (entries of other datasets there are kept), so ``dataset: gra_rnd3``
  works in a LLaMA-Factory config when the folder is its ``dataset_dir``.
- ``openai``: ``messages`` JSONL (TRL, axolotl's ``chat_template``, OpenAI fine-tuning).
- ``hf``: a Hugging Face ``datasets`` folder ``OUT/gra`` (``save_to_disk``, one split per dataset)
  with a dataset card ``README.md``: pool, τ, δ, rounds, counts, the funnel and the citation.

``with_provenance`` adds each row's sample id, round, μ, σ and generator model as columns.
Every file is written beside its target and renamed into place, so a failed export leaves
the files of the one before.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console

from runtime.files import atomic_path
from runtime.progress.bars import progress_bars
from runtime.storage.card import dataset_card
from runtime.storage.export import write_jsonl
from runtime.storage.run_dir import RunDirError
from runtime.storage.store import Store

#: What each command hands its user, in the order a directory is looked at.
KEPT_FILES = ("data.jsonl", "refined.jsonl", "accepted.jsonl")
#: The provenance columns ``with_provenance`` adds, in order.
PROVENANCE = ("sample_id", "round", "mean", "std", "generator_model")


class Format(StrEnum):
    ALPACA = "alpaca"
    SHAREGPT = "sharegpt"
    OPENAI = "openai"
    HF = "hf"


@dataclass(frozen=True)
class Split:
    """One dataset of an export: its name and its rows (dicts with instruction, input, output, provenance)."""

    name: str
    rows: list[dict[str, Any]]


def kept_file(run_dir: Path) -> Path:
    """The file of kept rows in ``run_dir``; raise :class:`RunDirError` naming the directory when there is none."""
    for name in KEPT_FILES:
        if (run_dir / name).is_file():
            return run_dir / name
    raise RunDirError(f"{run_dir}: holds none of {', '.join(KEPT_FILES)} (not a gra synth, refine or curate directory)")


def kept_rows(run_dir: Path) -> list[dict[str, Any]]:
    """Every kept row of ``run_dir`` with its provenance, in the file's order.

    Round, μ and σ come from the row, else from ``gra.db``; the generator's model is the
    model of the member that wrote the sample (none for rows ``gra curate`` was given).
    """
    path = kept_file(run_dir)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    samples, models = {}, {}
    if (run_dir / "gra.db").is_file():
        store = Store(run_dir / "gra.db")
        samples = {s["id"]: s for s in store.samples(select_ids(rows), [r["id"] for r in rows])}
        models = {m["name"]: m["model"] for m in store.db["members"].rows}
    return [_with_provenance(r, samples.get(r["id"], {}), models) for r in rows]


def select_ids(rows: list[dict[str, Any]]) -> str:
    return f"id in ({', '.join('?' * len(rows))})" if rows else "0"


def _with_provenance(row: dict[str, Any], sample: dict[str, Any], models: dict[str, str]) -> dict[str, Any]:
    generator = row.get("generator") or sample.get("generator")
    return {
        "instruction": row["instruction"],
        "input": row.get("input") or "",
        "output": row["output"],
        "sample_id": row["id"],
        "round": row.get("round", sample.get("round")) or 0,
        "mean": row.get("mean", sample.get("mean")),
        "std": row.get("std", sample.get("std")),
        "generator_model": models.get(generator, generator),
    }


def splits(rows: list[dict[str, Any]], name: str, cumulative: bool) -> list[Split]:
    """``name`` with every row, or with ``cumulative`` one split per round k holding rounds 1..k.

    >>> rows = [{"round": 1, "id": "a"}, {"round": 2, "id": "b"}]
    >>> [(s.name, [r["id"] for r in s.rows]) for s in splits(rows, "gra", True)]
    [('gra_rnd1', ['a']), ('gra_rnd2', ['a', 'b'])]
    """
    if not cumulative:
        return [Split(name, rows)]
    rounds = sorted({r["round"] for r in rows})
    return [Split(f"{name}_rnd{k}", [r for r in rows if r["round"] <= k]) for k in rounds]


def prompt(row: dict[str, Any]) -> str:
    """The user's turn: the instruction, then the input on its own line (as LLaMA-Factory joins them)."""
    return f"{row['instruction']}\n{row['input']}" if row["input"] else row["instruction"]


def _extra(row: dict[str, Any], provenance: bool) -> dict[str, Any]:
    return {k: row[k] for k in PROVENANCE} if provenance else {}


def alpaca_row(row: dict[str, Any], provenance: bool) -> dict[str, Any]:
    return {"instruction": row["instruction"], "input": row["input"], "output": row["output"]} | _extra(row, provenance)


def sharegpt_row(row: dict[str, Any], provenance: bool) -> dict[str, Any]:
    turns = [{"from": "human", "value": prompt(row)}, {"from": "gpt", "value": row["output"]}]
    return {"conversations": turns} | _extra(row, provenance)


def openai_row(row: dict[str, Any], provenance: bool) -> dict[str, Any]:
    turns = [{"role": "user", "content": prompt(row)}, {"role": "assistant", "content": row["output"]}]
    return {"messages": turns} | _extra(row, provenance)


#: LLaMA-Factory's ``dataset_info.json`` entry of each JSON format (its documented schema).
DATASET_INFO = {
    Format.ALPACA: {
        "formatting": "alpaca",
        "columns": {"prompt": "instruction", "query": "input", "response": "output"},
    },
    Format.SHAREGPT: {
        "formatting": "sharegpt",
        "columns": {"messages": "conversations"},
        "tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt"},
    },
}
ROW_MAKERS: dict[Format, Callable[[dict[str, Any], bool], dict[str, Any]]] = {
    Format.ALPACA: alpaca_row,
    Format.SHAREGPT: sharegpt_row,
    Format.OPENAI: openai_row,
}


def write_json(path: Path, data: Any) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def write_llama_factory(out: Path, part: Split, fmt: Format, provenance: bool) -> Path:
    """One split as a LLaMA-Factory JSON file, registered in the folder's ``dataset_info.json`` (other entries kept)."""
    path = write_json(out / f"{part.name}.json", [ROW_MAKERS[fmt](r, provenance) for r in part.rows])
    info_path = out / "dataset_info.json"
    info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.is_file() else {}
    info[part.name] = {"file_name": path.name, **DATASET_INFO[fmt]}
    write_json(info_path, info)
    return path


def write_openai(out: Path, part: Split, provenance: bool) -> Path:
    return write_jsonl(out / f"{part.name}.jsonl", (openai_row(r, provenance) for r in part.rows))


def hf_dataset(part: Split, provenance: bool) -> Any:
    """One split as a ``datasets.Dataset`` with typed columns (μ and σ may be null)."""
    import datasets  # heavy: only this format needs it

    columns = ("instruction", "input", "output", *(PROVENANCE if provenance else ()))
    schema = datasets.Features({c: datasets.Value(HF_TYPES[c]) for c in columns})
    return datasets.Dataset.from_list([{c: r[c] for c in columns} for r in part.rows], features=schema)


HF_TYPES = {"instruction": "string", "input": "string", "output": "string", "sample_id": "string"}
HF_TYPES |= {"round": "int64", "mean": "float64", "std": "float64", "generator_model": "string"}


def write_hf(target: Path, tables: dict[str, Any], card: str) -> Path:
    """A ``datasets`` folder (``DatasetDict.save_to_disk``, a split per dataset) with its card, swapped in whole."""
    import datasets

    datasets.disable_progress_bars()  # the export's own bar stands for it
    out = target.parent
    staging = Path(tempfile.mkdtemp(prefix=".hf-", dir=out))
    try:
        datasets.DatasetDict(tables).save_to_disk(str(staging / "hf"))
        (staging / "hf" / "README.md").write_text(card, encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        (staging / "hf").rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def export(
    run_dir: Path,
    out: Path,
    fmt: Format,
    *,
    cumulative: bool = False,
    with_provenance: bool = False,
    name: str = "gra",
    console: Console | None = None,
) -> list[Path]:
    """Write the kept rows of ``run_dir`` to ``out`` in ``fmt``; return the paths written."""
    console = console or Console(stderr=True)
    rows = kept_rows(run_dir)
    parts = splits(rows, name, cumulative)
    out.mkdir(parents=True, exist_ok=True)
    paths, tables = [], {}
    with progress_bars(console) as bars:
        task = bars.add_task(f"export {fmt}", total=len(parts))
        for part in parts:
            if fmt is Format.HF:
                tables[part.name] = hf_dataset(part, with_provenance)
            elif fmt is Format.OPENAI:
                paths.append(write_openai(out, part, with_provenance))
            else:
                paths.append(write_llama_factory(out, part, fmt, with_provenance))
            bars.advance(task)
    if fmt is Format.HF:
        paths.append(write_hf(out / name, tables, dataset_card(run_dir, parts_summary(parts))))
    for p in parts:
        console.print(f"{p.name}: {len(p.rows)} rows")
    return paths


def parts_summary(parts: list[Split]) -> dict[str, int]:
    """Split name → row count (what the dataset card lists)."""
    return {p.name: len(p.rows) for p in parts}
