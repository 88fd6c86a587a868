from collections import Counter
from pathlib import Path

import pytest

from runtime.config import PoolFileError, load_pool
from runtime.engines import llama_cpp as llama_server
from runtime.engines.llama_cpp import LlamaServer, split_cores
from runtime.engines.process import ServerProcess


def test_the_builtin_cpu_pool_is_both_qwen_models_with_the_cheaper_one_a_member_more():
    pool, path = load_pool("cpu")
    assert path.name == "cpu.toml"
    assert {e.model for e in pool.engines.values()} == {"qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-1.5b-instruct"}
    per_engine = Counter(m.engine for m in pool.members)
    assert per_engine == {"qwen05": 3, "qwen15": 2}  # a 1.5B call costs about two 0.5B calls
    assert len({m.seed for m in pool.members}) == 5
    s = pool.sampling_for(pool.members[0])
    assert (s["temperature"], s["top_p"]) == (0.2, 0.9)
    pool.check_roles(3)


def test_the_tiny_pool_gives_the_costlier_model_one_member_less():
    pool, path = load_pool("tiny")
    per_engine = Counter(m.engine for m in pool.members)
    assert per_engine == {"smollm2": 3, "gemma3": 4}  # a SmolLM2 call costs more: this evens the engines' load
    assert pool.sampling_for(pool.members[0])["max_tokens"] == 4096
    pool.check_roles(3)


def write(tmp_path, text):
    path = tmp_path / "pool.toml"
    path.write_text(text)
    return str(path)


BASE = """name = "t"
[engines.e]
kind = "llama.cpp"
model = "smollm2-135m-instruct"
context_per_slot = 1024
"""


def members(n, **extra):
    return "".join(
        f'[[members]]\nname = "m{i}"\nengine = "e"\n' + "".join(f"{k} = {v}\n" for k, v in extra.items())
        for i in range(n)
    )


def test_member_overrides_and_context_cap(tmp_path):
    pool, _ = load_pool(write(tmp_path, BASE + members(5, temperature=0.7)))
    assert pool.sampling_for(pool.members[0]) == {"temperature": 0.7, "top_p": 0.9, "max_tokens": 1024}


@pytest.mark.parametrize(
    "text,message",
    [
        (BASE + "colour = 1\n" + members(5), "colour: Extra inputs are not permitted"),
        (BASE.replace('kind = "llama.cpp"', 'kind = "llama.cpp"\nslot = 3') + members(5), "slot: Extra inputs"),
        (BASE + members(5).replace('engine = "e"', 'engine = "nope"', 1), "names engine 'nope'"),
        (BASE + members(2) + members(1), "unique"),
        (BASE + "[[members]\n", "(at line 6, column 10)"),
    ],
)
def test_bad_pool_files_get_one_line(tmp_path, text, message):
    with pytest.raises(PoolFileError) as info:
        load_pool(write(tmp_path, text))
    assert message in str(info.value) and "\n" not in str(info.value)


def test_impossible_role_counts_are_refused(tmp_path):
    pool, path = load_pool(write(tmp_path, BASE + members(4)))
    with pytest.raises(PoolFileError, match="4 members cannot fill 1 generator \\+ 3 reviewers"):
        pool.check_roles(3, str(path))
    pool.check_roles(2, str(path))


def test_unknown_pool_name():
    with pytest.raises(PoolFileError, match="not a pool file nor a built-in pool"):
        load_pool("nonesuch")


def test_local_engines_get_their_own_cores():
    assert split_cores(2, [0, 1]) == [frozenset({0}), frozenset({1})]
    assert split_cores(2, [0, 1, 2, 3, 4]) == [frozenset({0, 1}), frozenset({2, 3})]
    assert split_cores(3, [0, 1]) == [None, None, None]


def test_retry_policy_and_timeout_come_from_the_pool_file(tmp_path):
    from runtime.engines.supervisor import Endpoint
    from runtime.pipeline import Team

    settings = 'name = "t"\ntimeout_s = 30\nrepetition_span = 500\n[retry]\ninvalid = 3\nengine_error = 0\n'
    pool, _ = load_pool(write(tmp_path, BASE.replace('name = "t"', settings) + members(5)))
    team = Team.from_pool(pool, {"e": Endpoint("http://127.0.0.1:1/v1", "k", "json_schema", 4)})
    assert (team.retry.invalid, team.retry.engine_error, team.retry.truncated, team.retry.degenerate) == (3, 0, 1, 1)
    assert team.lms["m0"].kwargs["timeout"] == 30
    assert {lm.repetition_span for lm in team.lms.values()} == {500}
    assert load_pool("cpu")[0].repetition_span == 300


def test_llama_server_gets_its_slots_and_a_bounded_prompt_cache(tmp_path):
    pool, _ = load_pool(
        write(tmp_path, BASE.replace("context_per_slot = 1024", "slots = 3\nprompt_cache_mib = 512") + members(5))
    )
    cmd = LlamaServer("e", pool.engines["e"], Path("log"), "key", port=1).command()
    flag = lambda name: cmd[cmd.index(name) + 1]  # noqa: E731
    assert (flag("--parallel"), flag("--ctx-size"), flag("--cache-ram")) == ("3", str(3 * 4096), "512")
    default, _ = load_pool("cpu")  # one core per engine: one request decoded at a time, 2 GiB of cached prompts
    assert {e.slots for e in default.engines.values()} == {1}
    assert {e.prompt_cache_mib for e in default.engines.values()} == {2048}


def test_the_tiny_pool_serves_smollm2_as_f16_built_once_at_start(tmp_path, monkeypatch):
    monkeypatch.setenv("GRA_CACHE", str(tmp_path))  # a cache where nothing is built yet
    monkeypatch.setattr(llama_server, "find_llama_server", lambda: Path("llama-server"))
    pool, _ = load_pool("tiny")
    assert pool.engines["smollm2"].reencode == "f16" and pool.engines["gemma3"].reencode is None
    server = LlamaServer("smollm2", pool.engines["smollm2"], tmp_path / "log", "key", port=1)
    model = Path(server.command()[server.command().index("--model") + 1])
    assert model.parent == tmp_path / "weights" and ".f16-" in model.name
    assert not model.exists()  # a dry run (`gra serve --dry-run`) names it without building it
    monkeypatch.setattr(ServerProcess, "start", lambda self: None)
    server.start()
    assert model.is_file()
