"""Seed files: Alpaca JSON/JSONL in, one clear line per problem out."""

import json

import pytest

from runtime.storage.seeds import SeedFileError, load_seeds
from tests.helpers.paths import SHARED
from tests.helpers.seed_files import BAD_SEED_FILES, write


def test_jsonl_with_and_without_ids(tmp_path):
    path = write(
        tmp_path,
        "s.jsonl",
        '{"id": "a", "instruction": "Add 2 and 3.", "input": "", "output": "5"}\n\n'
        '{"instruction": "Name a color.", "output": "Blue"}\n',
    )
    seeds = load_seeds(path)
    assert [(s.id, s.line, s.input) for s in seeds] == [("a", 1, ""), ("seed-3", 3, "")]


def test_json_array_like_alpaca_and_gpteacher(tmp_path):
    rows = [
        {"instruction": "Say hi.", "input": "", "output": "Hi"},
        {"instruction": "Count.", "input": "1 2", "output": "2"},
    ]
    seeds = load_seeds(write(tmp_path, "s.json", json.dumps(rows)))
    assert [s.instruction for s in seeds] == ["Say hi.", "Count."]


def test_the_shipped_example_seeds_cover_every_domain_with_five_or_more():
    seeds = load_seeds("examples/seeds.jsonl")
    assert len(seeds) >= 35


def test_the_shared_real_seed_files_load(tmp_path):
    shared = SHARED
    if not shared.exists():
        pytest.skip("shared/ seeds are not beside this checkout")
    assert len(load_seeds(shared / "self_instruct_seed_tasks.jsonl")) >= 175
    assert len(load_seeds(shared / "gpteacher_roleplay.json")) > 3000


@pytest.mark.parametrize("name,content,message", BAD_SEED_FILES, ids=[b[0] for b in BAD_SEED_FILES])
def test_bad_seed_files_get_one_line_naming_file_and_line(tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    with pytest.raises(SeedFileError) as info:
        load_seeds(path)
    text = str(info.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text


def test_missing_file(tmp_path):
    with pytest.raises(SeedFileError, match="no such seed file"):
        load_seeds(tmp_path / "nope.jsonl")
