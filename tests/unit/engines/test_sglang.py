"""The paper's GPU pool: SGLang servers placed on GPUs, their exact command lines, and the key kept out of sight.

Nothing here needs a GPU or SGLang: the commands are built, printed and compared, never run.
"""

import itertools
import subprocess
import sys

import pytest

from runtime.config import PoolFileError, load_pool
from runtime.engines.process import EngineError
from runtime.engines.sglang import SGLangServer
from runtime.engines.supervisor import Supervisor
from tests.helpers.paths import ROOT, SNAPSHOTS

SNAPSHOT = SNAPSHOTS / "paper_plan.txt"
SGLANG_PYTHON = "/opt/sglang-env/bin/python"


@pytest.fixture
def paper_supervisor(monkeypatch, tmp_path):
    """The supervisor of runtime/pools/paper.toml with ports 30000, 30001, ... and a fixed interpreter."""
    monkeypatch.setenv("GRA_SGLANG_PYTHON", SGLANG_PYTHON)
    pool, path = load_pool("paper")
    ports = itertools.count(30000)
    return Supervisor(pool, log_dir=tmp_path / "logs", source=str(path), port=lambda: next(ports))


def test_paper_pool_places_five_models_and_three_replicas_on_eight_gpus(paper_supervisor):
    servers = paper_supervisor.build()
    gpus = {name: s.gpus for name, s in servers.items()}
    assert gpus == {
        "llama31.0": [0], "llama31.1": [5], "qwen25": [1], "internlm3.0": [2], "internlm3.1": [6],
        "mistral": [3], "tulu3.0": [4], "tulu3.1": [7],
    }  # fmt: skip
    assert {s.served_model_name for s in servers.values()} == {
        "gra-llama31-8b", "gra-qwen25-7b", "gra-internlm3-8b", "gra-mistral-7b", "gra-tulu3-8b",
    }  # fmt: skip


def test_one_sglang_server_exactly(paper_supervisor):
    server = paper_supervisor.build()["qwen25"]
    assert server.env() == {"HF_HUB_OFFLINE": "0", "CUDA_VISIBLE_DEVICES": "1"}  # SGLang may fetch the weights
    assert server.command("/tmp/gra-key-x.yaml") == [
        SGLANG_PYTHON, "-m", "sglang.launch_server",
        "--model-path", "Qwen/Qwen2.5-7B-Instruct",
        "--served-model-name", "gra-qwen25-7b",
        "--host", "127.0.0.1", "--port", "30002",
        "--tp-size", "1", "--context-length", "8192",
        "--mem-fraction-static", "0.85", "--random-seed", "0",
        "--enable-cache-report", "--enable-metrics", "--log-level", "info",
        "--config", "/tmp/gra-key-x.yaml",
    ]  # fmt: skip
    assert server.health_path == "/health_generate"


def test_the_plan_of_the_paper_pool_matches_its_snapshot(paper_supervisor):
    """To accept a deliberate change: GRA_SGLANG_PYTHON=/opt/sglang-env/bin/python and rewrite
    tests/snapshots/paper_plan.txt from `Supervisor.plan()` (ports from 30000)."""
    assert "\n".join(paper_supervisor.plan()) + "\n" == SNAPSHOT.read_text()


def test_the_key_travels_in_a_yaml_file_never_on_the_command_line(paper_supervisor):
    server = paper_supervisor.build()["mistral"]
    key = paper_supervisor.api_key
    assert key not in " ".join(server.command("/tmp/k.yaml")) and key not in server.plan()
    assert server.key_file_suffix == ".yaml"  # SGLang's --config reads only .yaml/.yml
    assert server.key_file_text() == f'api-key: "{key}"\n'


def test_dry_run_prints_one_line_per_server_and_starts_nothing(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "GRA_SGLANG_PYTHON": SGLANG_PYTHON}
    logs = tmp_path / "logs"
    out = subprocess.run(
        [sys.executable, "-m", "runtime.cli", "serve", "--pool", "paper", "--dry-run", "--logs", str(logs)],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    ).stdout  # fmt: skip
    lines = out.splitlines()
    assert len(lines) == 8 and all(" -m sglang.launch_server " in line for line in lines)
    assert sorted(line.split()[1] for line in lines) == [f"CUDA_VISIBLE_DEVICES={g}" for g in range(8)]
    assert all(line.startswith("HF_HUB_OFFLINE=0 ") for line in lines)
    assert all("--config '<per-run key file>'" in line for line in lines)
    assert "api key" not in out and not logs.exists()  # no key printed, no server started


def test_a_missing_sglang_environment_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GRA_SGLANG_PYTHON", str(tmp_path / "no-env" / "python"))
    pool, _ = load_pool("paper")
    server = SGLangServer("qwen25", pool.engines["qwen25"], [1], "gra-qwen25-7b", tmp_path / "q.log", "k", 1)
    with pytest.raises(EngineError, match="make sglang-env"):
        server.start()
    assert server.proc is None


def paper_with(tmp_path, old, new):
    text = (ROOT / "runtime" / "pools" / "paper.toml").read_text()
    assert old in text
    path = tmp_path / "p.toml"
    path.write_text(text.replace(old, new, 1))
    return str(path)


@pytest.mark.parametrize(
    "old,new,message",
    [
        ("replicas = [[1]]", "replicas = [[0]]", "GPU 0 is given to engine 'llama31' and to engine 'qwen25'"),
        ("replicas = [[1]]", "replicas = [[1, 8]]", "replica [1, 8] has 2 GPU(s) but tp_size is 1"),
        ("replicas = [[1]]", "replicas = [[1, 1]]\ntp_size = 2", "replica [1, 1] must list distinct GPU numbers"),
        ("replicas = [[1]]", "replicas = []", "replicas: List should have at least 1 item"),
        ('model = "Qwen/Qwen2.5-7B-Instruct"', 'model = "Qwen/Qwen2.5-7B-Instruct"\nserved_model_name = "gra-tulu3-8b"',
         "served model names must be unique"),
        ('model = "Qwen/Qwen2.5-7B-Instruct"', 'model = "Qwen/Qwen2.5-7B-Instruct"\ngpus = [1]', "gpus: Extra inputs"),
    ],
)  # fmt: skip
def test_placement_mistakes_get_one_line_naming_the_file(tmp_path, old, new, message):
    with pytest.raises(PoolFileError) as info:
        load_pool(paper_with(tmp_path, old, new))
    assert message in str(info.value) and "\n" not in str(info.value)
    assert str(info.value).startswith(str(tmp_path / "p.toml"))


def test_a_tensor_parallel_replica_sees_both_its_gpus(tmp_path):
    pool, _ = load_pool(paper_with(tmp_path, "replicas = [[1]]", "replicas = [[1, 8]]\ntp_size = 2"))
    server = Supervisor(pool, log_dir=tmp_path).build()["qwen25"]
    assert server.env()["CUDA_VISIBLE_DEVICES"] == "1,8"
    assert server.command()[server.command().index("--tp-size") + 1] == "2"


def test_a_shared_engine_serves_under_its_own_name(tmp_path):
    path = paper_with(tmp_path, 'engine = "qwen25"', 'engine = "llama31"')  # qwen25 now unused, llama31 shared
    pool, _ = load_pool(path)
    assert pool.served_model_name("llama31") == "gra-llama31"
    assert pool.served_model_name("mistral") == "gra-mistral-7b"


def test_paper_sampling_and_context_cap(tmp_path):
    pool, _ = load_pool("paper")
    pool.check_roles(3)
    assert pool.sampling_for(pool.members[0]) == {"temperature": 0.2, "top_p": 0.9, "max_tokens": 4096, "seed": 101}
