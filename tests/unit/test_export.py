"""gra export: every format loads with the library it is for, and cumulative splits hold exactly their rounds."""

import io
import json

import datasets
import pytest
from rich.console import Console
from typer.testing import CliRunner

from runtime.cli import app
from runtime.export import Format, export
from runtime.storage.run_dir import RunDirError
from tests.helpers.run_dirs import KEPT, make_run

QUIET = Console(file=io.StringIO())

#: LLaMA-Factory's dataset_info.json schema (data/README.md; src/llamafactory/data/parser.py): the keys it reads.
LF_KEYS = {
    "hf_hub_url",
    "ms_hub_url",
    "om_hub_url",
    "script_url",
    "file_name",
    "file_sha1",
    "subset",
    "split",
    "folder",
    "ranking",
    "formatting",
    "num_samples",
    "columns",
    "tags",
}
LF_COLUMNS = {
    "system",
    "tools",
    "images",
    "videos",
    "audios",
    "chosen",
    "rejected",
    "kto_tag",
    "prompt",
    "query",
    "response",
    "history",
    "messages",
}
LF_TAGS = {"role_tag", "content_tag", "user_tag", "assistant_tag", "observation_tag", "function_tag", "system_tag"}


@pytest.fixture
def run(tmp_path):
    return make_run(tmp_path / "run")


def check_llama_factory_entry(entry, fmt):
    """Strictly what LLaMA-Factory's parser accepts for a local file of ``fmt``."""
    assert set(entry) <= LF_KEYS and entry["formatting"] == fmt and entry["file_name"].endswith(".json")
    assert set(entry["columns"]) <= LF_COLUMNS
    assert set(entry.get("tags", {})) <= LF_TAGS


def test_alpaca_is_a_llama_factory_dataset_per_cumulative_round(run, tmp_path):
    out = tmp_path / "lf"
    export(run, out, Format.ALPACA, cumulative=True, console=QUIET)
    info = json.loads((out / "dataset_info.json").read_text())
    assert list(info) == ["gra_rnd1", "gra_rnd2"]
    for entry in info.values():
        check_llama_factory_entry(entry, "alpaca")
        assert entry["columns"] == {"prompt": "instruction", "query": "input", "response": "output"}
        rows = datasets.load_dataset("json", data_files=str(out / entry["file_name"]), split="train")
        assert rows.column_names == ["instruction", "input", "output"]
    rnd1 = datasets.load_dataset("json", data_files=str(out / "gra_rnd1.json"), split="train")
    rnd2 = datasets.load_dataset("json", data_files=str(out / "gra_rnd2.json"), split="train")
    assert sorted(rnd1["instruction"]) == sorted(f"Task {s}: explain step 1." for s in KEPT[1])
    assert len(rnd2) == len(KEPT[1]) + len(KEPT[2]) and set(rnd1["instruction"]) < set(rnd2["instruction"])


def test_sharegpt_turns_and_other_datasets_in_dataset_info_are_kept(run, tmp_path):
    out = tmp_path / "lf"
    out.mkdir()
    (out / "dataset_info.json").write_text(json.dumps({"alpaca_en_demo": {"file_name": "alpaca_en_demo.json"}}))
    export(run, out, Format.SHAREGPT, console=QUIET)
    info = json.loads((out / "dataset_info.json").read_text())
    assert set(info) == {"alpaca_en_demo", "gra"}
    check_llama_factory_entry(info["gra"], "sharegpt")
    rows = datasets.load_dataset("json", data_files=str(out / "gra.json"), split="train")
    first = next(r for r in rows if "r1-a" in r["conversations"][0]["value"])
    assert first["conversations"] == [
        {"from": "human", "value": "Task r1-a: explain step 1.\nx = 1"},
        {"from": "gpt", "value": "Answer of r1-a."},
    ]


def test_openai_messages_with_provenance(run, tmp_path):
    export(run, tmp_path / "oa", Format.OPENAI, with_provenance=True, console=QUIET)
    rows = datasets.load_dataset("json", data_files=str(tmp_path / "oa" / "gra.jsonl"), split="train")
    assert [m["role"] for m in rows[0]["messages"]] == ["user", "assistant"]
    by_id = {r["sample_id"]: r for r in rows}
    assert set(by_id) == {"r1-a", "r1-b", "r2-a"}
    assert (by_id["r1-b"]["round"], by_id["r1-b"]["std"]) == (1, 2.16)
    assert by_id["r2-a"]["generator_model"] == "smollm2-135m-instruct"


def test_hf_folder_loads_with_its_card_and_cumulative_splits(run, tmp_path):
    export(run, tmp_path / "hf", Format.HF, cumulative=True, with_provenance=True, console=QUIET)
    ds = datasets.load_from_disk(str(tmp_path / "hf" / "gra"))
    assert list(ds) == ["gra_rnd1", "gra_rnd2"]
    assert sorted(ds["gra_rnd1"]["sample_id"]) == KEPT[1]
    assert sorted(ds["gra_rnd2"]["sample_id"]) == sorted(KEPT[1] + KEPT[2])
    card = (tmp_path / "hf" / "gra" / "README.md").read_text()
    for needed in (
        "τ (acceptance threshold on the 1-10 mean): 8",
        "δ",
        "rounds: 2",
        "| gra_rnd2 | 3 |",
        "| **kept** | **3** |",
        "@inproceedings{gao2025gra",
        "m0 (smollm2-135m-instruct)",
    ):
        assert needed in card


def test_a_curate_directory_exports_its_accepted_rows(tmp_path):
    cur = tmp_path / "cur"
    cur.mkdir()
    row = {
        "id": "7",
        "instruction": "Say hi.",
        "input": "",
        "output": "hi",
        "status": "accepted",
        "mean": 9.0,
        "std": 0.0,
    }
    (cur / "accepted.jsonl").write_text(json.dumps(row) + "\n")
    export(cur, tmp_path / "out", Format.ALPACA, with_provenance=True, console=QUIET)
    (exported,) = json.loads((tmp_path / "out" / "gra.json").read_text())
    assert exported == {
        "instruction": "Say hi.",
        "input": "",
        "output": "hi",
        "sample_id": "7",
        "round": 0,
        "mean": 9.0,
        "std": 0.0,
        "generator_model": None,
    }


def test_a_directory_without_kept_rows_is_refused(tmp_path):
    with pytest.raises(RunDirError, match="holds none of data.jsonl"):
        export(tmp_path, tmp_path / "out", Format.OPENAI, console=QUIET)


def test_the_command_line_fails_in_one_line_and_writes_nothing(tmp_path):
    result = CliRunner().invoke(app, ["export", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "--format", "hf"])
    assert result.exit_code == 2 and "holds none of" in result.output
    assert not (tmp_path / "o").exists()
