"""Prompt packs: written by gra optimize, read back whole, hashed into a run's fingerprint, and used per model."""

import hashlib
import json
from pathlib import Path

import pytest

from runtime.config import load_pool
from runtime.curate import curate
from runtime.fingerprint import fingerprint
from runtime.optimize import OptimizeRequest, optimize
from runtime.pipeline.programs import load_pack
from runtime.settings import SynthConfig
from runtime.storage.pack import PackError, data_file, read_pack, resolve_pack
from runtime.storage.run_dir import RunDirError
from runtime.storage.store import Store
from tests.helpers.stand_in_pool import judge_rows, write_jsonl


@pytest.fixture
def pack(tmp_path, stand_in_pool):
    """A labeled reviewer for model0 only (members m0 and m2), in tmp_path/pack."""
    train = write_jsonl(tmp_path / "train.jsonl", judge_rows())
    request = OptimizeRequest(
        "team", train, tmp_path / "pack", pool=str(stand_in_pool), optimizer="labeled", member="m0"
    )
    return optimize(request)


def test_a_pack_round_trips_its_programs_and_records(pack):
    spec = read_pack(pack)
    (program,) = spec.programs
    assert (program.role, program.model, program.optimizer) == ("reviewer", "model0", "labeled")
    saved = json.loads((pack / program.file).read_text())
    assert (pack / program.file).is_file() and saved["scores.score_response"]["demos"]
    assert spec.reliability == {"m0": 1.0, "m2": 1.0}
    reviewer = load_pack(pack)["model0"]["reviewer"]
    saved = json.loads((pack / program.file).read_text())
    assert [d["review"] for d in reviewer.scores.score_response.demos] == [
        d["review"] for d in saved["scores.score_response"]["demos"]
    ]


def test_the_digest_changes_with_any_program_and_the_run_fingerprint_with_it(pack, stand_in_pool, tmp_path):
    pool, _ = load_pool(str(stand_in_pool))
    data = write_jsonl(tmp_path / "rows.jsonl", judge_rows(4))
    before = read_pack(pack).digest()
    program = pack / read_pack(pack).programs[0].file
    state = json.loads(program.read_text())
    state["scores.score_response"]["demos"] = state["scores.score_response"]["demos"][:1]
    program.write_text(json.dumps(state))

    assert read_pack(pack).digest() != before
    a = fingerprint(SynthConfig(), pool, data, "curate", prompts=before)
    b = fingerprint(SynthConfig(), pool, data, "curate", prompts=read_pack(pack).digest())
    assert a["settings"] == b["settings"] and a["prompts"] != b["prompts"]
    assert "prompts" not in fingerprint(SynthConfig(), pool, data, "curate")


def test_a_curation_records_which_program_made_each_call_and_refuses_to_resume_under_another_pack(
    pack, stand_in_pool, tmp_path
):
    data = write_jsonl(tmp_path / "rows.jsonl", judge_rows(4))
    out = tmp_path / "curated"
    curate(data, out, str(stand_in_pool), SynthConfig(prompts=str(pack), early_exit=False))

    digest = read_pack(pack).digest()
    rows = Store(out / "gra.db").db.execute("select role, member, program from lm_calls").fetchall()
    assert {(m, p) for r, m, p in rows if r == "reviewer"} <= {
        ("m0", f"reviewer/model0@{digest}"),
        ("m2", f"reviewer/model0@{digest}"),
        ("m1", None),
        ("m3", None),
    }
    assert {p for r, m, p in rows if r == "reviewer" and m in ("m0", "m2")} == {f"reviewer/model0@{digest}"}

    program = pack / read_pack(pack).programs[0].file
    program.write_text(program.read_text().replace("Correct and complete.", "Right."))
    with pytest.raises(RunDirError, match="prompt pack"):
        curate(data, out, str(stand_in_pool), SynthConfig(prompts=str(pack), early_exit=False))


def test_reliability_roles_need_a_pack_that_measured_reliability(stand_in_pool, tmp_path):
    data = write_jsonl(tmp_path / "rows.jsonl", judge_rows(4))
    with pytest.raises(Exception, match="--roles reliability .* no prompt pack is in use"):
        curate(data, tmp_path / "c", str(stand_in_pool), SynthConfig(roles="reliability"))
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize(
    "damage,message",
    [
        (lambda p: (p / "pack.toml").write_text("programs = 3\n"), "pack.toml: programs"),
        (lambda p: (p / "pack.toml").write_text("[[programs\n"), "pack.toml:"),
        (lambda p: next((p / "reviewer").iterdir()).unlink(), "is missing from the pack"),
    ],
    ids=["wrong-type", "not-toml", "missing-program"],
)
def test_a_damaged_pack_is_refused_in_one_line_naming_the_file(pack, damage, message):
    damage(pack)
    with pytest.raises(PackError, match=message) as exc:
        read_pack(pack)
    assert "\n" not in str(exc.value) and str(pack) in str(exc.value)


def test_the_cpu_pool_uses_its_calibrated_checks_from_any_copy_of_its_file(tmp_path):
    pool, path = load_pool("cpu")
    copy = tmp_path / "my-pool.toml"
    copy.write_text(path.read_text())
    for pack in (resolve_pack(None, pool, path), resolve_pack(None, pool, copy)):
        assert pack.path.name == "cpu-checks" and not pack.programs
        calibration = pack.calibration()
        assert set(calibration) == {m.name for m in pool.members}
        assert all(c.check_cut is not None and not c.score_x for c in calibration.values())  # checks only
        for c in pack.spec.calibration.values():
            (train,) = c.train
            data = Path(__file__).parents[3] / train.path
            assert hashlib.sha256(data.read_bytes()).hexdigest() == train.sha256  # fitted on the file it names
    assert resolve_pack("none", pool, path) is None


def test_the_cpu_pack_ships_by_name_and_the_cpu_pool_does_not_use_it_unless_asked():
    pool, path = load_pool("cpu")
    pack = resolve_pack("cpu", pool, path)

    assert {p.model for p in pack.programs} == {pool.model_of(m.name) for m in pool.members}
    for p in pack.programs:
        assert p.after > p.before  # it beat the default demos on held-out judge rows
        assert (Path(__file__).parents[3] / p.train.path).is_file()
    for p in pack.programs:
        reviewer = load_pack(pack.path)[p.model]["reviewer"]
        assert reviewer.scores.score_response.demos
        # loaded under their own names: runs record and account calls by the signature's name
        assert (
            reviewer.checks.check_instruction.signature.__name__,
            reviewer.scores.score_response.signature.__name__,
        ) == (
            "CheckInstruction",
            "ScoreResponse",
        )
    assert resolve_pack(None, pool, path).path.name == "cpu-checks" and resolve_pack("none", pool, path) is None


def test_a_pack_names_a_training_file_under_the_working_directory_by_a_relative_path(tmp_path, monkeypatch):
    inside, outside = tmp_path / "repo" / "bench" / "train.jsonl", tmp_path / "elsewhere.jsonl"
    inside.parent.mkdir(parents=True)
    for f in (inside, outside):
        f.write_text('{"a": 1}\n')
    monkeypatch.chdir(tmp_path / "repo")

    assert data_file(inside, 1).path == "bench/train.jsonl"  # no folder of the machine that made it
    assert data_file(outside, 1).path == str(outside)
    assert data_file(inside, 1).sha256 == data_file(outside, 1).sha256
