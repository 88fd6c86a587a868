"""What a run was, read back from its database: the settings it ran with, and its dataset card.

The card is the ``README.md`` of an exported Hugging Face dataset: the pool, τ, δ,
rounds, row counts, the funnel, and how to cite the paper the method comes from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime.storage.funnel import funnel
from runtime.storage.store import Store

#: The GRA paper (Gao et al., ACL 2025), as a dataset card cites it.
CITATION = """@inproceedings{gao2025gra,
  title     = {A Strategic Coordination Framework of Small {LLMs} Matches Large {LLMs} in Data Synthesis},
  author    = {Gao, Xin and Pei, Qizhi and Tang, Zinan and Li, Yu and Lin, Honglin and Wu, Jiang and Wu, Lijun
               and He, Conghui},
  booktitle = {Proceedings of the 63rd Annual Meeting of the Association for Computational Linguistics (ACL)},
  year      = {2025},
  note      = {arXiv:2504.12322}
}"""


def run_settings(store: Store) -> dict[str, Any]:
    """The first invocation's settings: ``command`` (synth, curate or refine), its options, and the pool."""
    config = next(iter(store.run_configs()), {})
    command = next((k for k in ("synth", "curate", "refine") if k in config), "synth")
    return {"command": command, "options": config.get(command, {}), "pool": config.get("pool", {})}


def pool_line(pool: dict[str, Any]) -> str:
    """``cpu: qwen05-a (qwen2.5-coder-0.5b-instruct), ...``: each member and the model it runs."""
    engines = pool.get("engines", {})
    members = [
        f"{m['name']} ({engines.get(m['engine'], {}).get('model', m['engine'])})" for m in pool.get("members", [])
    ]
    return f"{pool.get('name', '?')}: {', '.join(members) or 'unknown members'}"


def funnel_lines(store: Store, tau: float) -> list[str]:
    f = funnel(store, None, tau)
    return [
        f"| candidates drawn | {f.candidates} |",
        f"| generated | {f.generated} |",
        f"| instruction checks passed | {f.instruction_passed} |",
        f"| score gate: accepted (μ ≥ τ, σ ≤ δ) | {f.score_accepted} |",
        f"| sent to the adjudicator | {f.to_adjudication} |",
        f"| adjudicated: accepted | {f.adjudicated} |",
        f"| deduplicated: dropped | {f.duplicates} |",
        f"| **kept** | **{f.kept}** |",
    ]


def dataset_card(run_dir: Path, counts: dict[str, int]) -> str:
    """The dataset card (Markdown with the Hub's YAML header) of an export of ``run_dir``."""
    store = Store(run_dir / "gra.db") if (run_dir / "gra.db").is_file() else None
    settings = run_settings(store) if store else {"command": "?", "options": {}, "pool": {}}
    opts = settings["options"]
    tau, delta = opts.get("tau", 8.0), opts.get("delta", 1.5)
    lines = [
        "---",
        "task_categories:\n- text-generation",
        "tags:\n- synthetic\n- instruction-tuning\n- gra",
        "---",
        "# Instruction-tuning data made by a team of small language models (GRA)",
        "",
        f"Made with `gra {settings['command']}`: a generator writes each sample, reviewers check and score it,"
        " an adjudicator settles disputes, and near-duplicates are dropped (Gao et al., ACL 2025).",
        "",
        "## Settings",
        "",
        f"- pool {pool_line(settings['pool'])}",
        f"- τ (acceptance threshold on the 1-10 mean): {tau:g}",
        f"- δ (disagreement threshold on the reviewers' σ): {delta:g}",
        f"- reviewers per sample: {opts.get('n_reviewers', '?')}; rounds: {opts.get('rounds', 1)}",
        "",
        "## Splits",
        "",
        "| split | rows |",
        "|---|---|",
        *(f"| {name} | {n} |" for name, n in counts.items()),
    ]
    if store is not None:
        lines += ["", "## Funnel", "", "| stage | samples |", "|---|---|", *funnel_lines(store, tau)]
    lines += ["", "## Citation", "", "```bibtex", CITATION, "```", ""]
    return "\n".join(lines)
