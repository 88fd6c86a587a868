"""SGLang on CPU, the engine tests' real SGLang: the pool's settings, its exact launch, its checks, and the stand-in op.

Nothing here starts SGLang (tests/engine/test_sglang_real.py does): commands are built and compared.
"""

import importlib.util
import itertools

import pytest
import torch

from runtime.config import PoolFileError, load_pool
from runtime.engines.process import EngineError
from runtime.engines.sglang import SGLANG_VERSION, SGLangServer
from runtime.engines.supervisor import Supervisor
from tests.helpers.paths import ROOT

STAND_IN = ROOT / "scripts" / "sglang-cpu" / "sgl_kernel" / "__init__.py"


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """An empty gra cache: no CPU environment is installed there."""
    monkeypatch.setenv("GRA_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def installed(cache):
    """Mark the CPU environment of ``cache`` installed, with SmolLM2 converted, as the install script leaves it."""
    env = cache / f"sglang-cpu-{SGLANG_VERSION}"
    (env / "models" / "smollm2-135m-instruct").mkdir(parents=True)
    (env / "models" / "smollm2-135m-instruct" / "config.json").write_text("{}")
    (env / "venv" / "bin").mkdir(parents=True)
    (env / "venv" / "bin" / "python").write_text("")
    (env / ".installed").write_text("digest\n")
    return env


def test_the_tiny_sglang_pool_is_five_smollm2_members_on_one_cpu_server(cache, tmp_path):
    pool, _ = load_pool("tiny-sglang")
    pool.check_roles(3)
    (spec,) = pool.engines.values()
    assert (spec.kind, spec.device, spec.servers, spec.threads) == ("sglang", "cpu", [[]], 1)
    servers = Supervisor(pool, log_dir=tmp_path).build()
    assert list(servers) == ["smollm2"] and servers["smollm2"].gpus == []


def test_one_cpu_server_exactly(cache, tmp_path):
    pool, _ = load_pool("tiny-sglang")
    env = cache / f"sglang-cpu-{SGLANG_VERSION}"
    server = SGLangServer("smollm2", pool.engines["smollm2"], [], "gra-smollm2", tmp_path / "s.log", "k", 30000)
    assert server.env() == {
        "HF_HUB_OFFLINE": "1", "SGLANG_USE_CPU_ENGINE": "1", "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "",
    }  # fmt: skip
    assert server.command("/tmp/k.yaml") == [
        str(env / "venv" / "bin" / "python"), "-m", "sglang.launch_server",
        "--model-path", str(env / "models" / "smollm2-135m-instruct"),
        "--served-model-name", "gra-smollm2",
        "--host", "127.0.0.1", "--port", "30000",
        "--tp-size", "1", "--context-length", "8192", "--random-seed", "0",
        "--device", "cpu", "--attention-backend", "torch_native", "--disable-overlap-schedule",
        "--dtype", "float32", "--max-total-tokens", "16384",
        "--enable-cache-report", "--enable-metrics", "--log-level", "info",
        "--config", "/tmp/k.yaml",
    ]  # fmt: skip
    assert server.health_path == "/health_generate"


def test_a_cpu_server_takes_one_thread_per_pinned_core_unless_told(cache, tmp_path):
    pool, _ = load_pool("tiny-sglang")
    spec = pool.engines["smollm2"].model_copy(update={"threads": None, "max_total_tokens": None})
    server = SGLangServer("s", spec, [], "gra-s", tmp_path / "s.log", "k", 1, cpus=frozenset({2, 3}))
    assert server.env()["OMP_NUM_THREADS"] == "2"
    assert server.command()[server.command().index("--max-total-tokens") + 1] == "8192"  # the context length


def test_a_missing_cpu_environment_is_one_clear_error_and_starts_nothing(cache, tmp_path):
    pool, _ = load_pool("tiny-sglang")
    server = SGLangServer("smollm2", pool.engines["smollm2"], [], "gra-smollm2", tmp_path / "s.log", "k", 1)
    with pytest.raises(EngineError, match=r"make sglang-cpu-env") as info:
        server.start()
    assert "\n" not in str(info.value) and server.proc is None


def test_an_unconverted_model_is_one_clear_error(cache, tmp_path):
    env = installed(cache)
    (env / "models" / "smollm2-135m-instruct" / "config.json").unlink()
    pool, _ = load_pool("tiny-sglang")
    server = SGLangServer("smollm2", pool.engines["smollm2"], [], "gra-smollm2", tmp_path / "s.log", "k", 1)
    with pytest.raises(EngineError, match=r"'smollm2-135m-instruct' is not converted.*make sglang-cpu-env"):
        server.start()


def test_a_mixed_pool_gives_llama_cpp_and_sglang_on_cpu_a_core_each(cache, tmp_path, monkeypatch):
    monkeypatch.setattr("runtime.engines.llama_cpp.os.sched_getaffinity", lambda _: {0, 1})
    text = (ROOT / "runtime" / "pools" / "tiny-sglang.toml").read_text()
    text += '[engines.gemma3]\nkind = "llama.cpp"\nmodel = "gemma3-270m"\nslots = 1\n'
    text += '[[members]]\nname = "gemma3-a"\nengine = "gemma3"\n'
    path = tmp_path / "mixed.toml"
    path.write_text(text)
    pool, _ = load_pool(str(path))
    ports = itertools.count(30000)
    servers = Supervisor(pool, log_dir=tmp_path, port=lambda: next(ports)).build()
    assert {n: (type(s).__name__, s.cpus) for n, s in servers.items()} == {
        "gemma3": ("LlamaServer", frozenset({1})), "smollm2": ("SGLangServer", frozenset({0})),
    }  # fmt: skip


def pool_with(tmp_path, old, new):
    text = (ROOT / "runtime" / "pools" / "tiny-sglang.toml").read_text()
    assert old in text
    path = tmp_path / "p.toml"
    path.write_text(text.replace(old, new, 1))
    return str(path)


@pytest.mark.parametrize(
    "old,new,message",
    [
        ('device = "cpu"', 'device = "cpu"\nreplicas = [[0]]', "replicas: not for device 'cpu'"),
        ('device = "cpu"', 'device = "cpu"\ntp_size = 2', "tp_size: not for device 'cpu'"),
        ('device = "cpu"', 'device = "cpu"\nmem_fraction_static = 0.5', "mem_fraction_static: not for device 'cpu'"),
        ('device = "cpu"', 'device = "tpu"', "device: Input should be 'cuda' or 'cpu'"),
        ('device = "cpu"', 'device = "cuda"', "replicas: required for device 'cuda'"),
        ('device = "cpu"', 'device = "cuda"\nreplicas = [[0]]', "threads: only for device 'cpu'"),
        ("threads = 1", "threads = 0", "threads: Input should be greater than or equal to 1"),
    ],
)  # fmt: skip
def test_cpu_settings_mistakes_get_one_line_naming_the_file(tmp_path, old, new, message):
    with pytest.raises(PoolFileError) as info:
        load_pool(pool_with(tmp_path, old, new))
    assert message in str(info.value) and "\n" not in str(info.value)
    assert str(info.value).startswith(str(tmp_path / "p.toml"))


def stand_in(monkeypatch, version):
    """The CPU-test sgl_kernel stand-in, imported as if SGLang ``version`` were installed."""
    monkeypatch.setattr("importlib.metadata.version", lambda name: version)
    spec = importlib.util.spec_from_file_location("sgl_kernel_stand_in", STAND_IN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_stand_in_op_writes_each_requests_new_slots_like_sglangs_kernel(monkeypatch):
    kernel = stand_in(monkeypatch, SGLANG_VERSION)
    table = torch.zeros((4, 8), dtype=torch.int32)
    out_cache_loc = torch.tensor([11, 12, 13, 21, 22], dtype=torch.int64)
    rows, start, end = torch.tensor([2, 0]), torch.tensor([1, 5]), torch.tensor([4, 7])
    kernel.assign_req_to_token_pool_cpu(rows, table, start, end, out_cache_loc, 8)
    assert table[2].tolist() == [0, 11, 12, 13, 0, 0, 0, 0]
    assert table[0].tolist() == [0, 0, 0, 0, 0, 21, 22, 0]
    assert table[[1, 3]].sum() == 0


def test_the_stand_in_refuses_other_ops_and_other_sglang_versions(monkeypatch):
    kernel = stand_in(monkeypatch, SGLANG_VERSION)
    with pytest.raises(NotImplementedError, match="copy_all_layer_kv_cache_cpu"):
        kernel.copy_all_layer_kv_cache_cpu()
    with pytest.raises(AttributeError, match="no 'silu_and_mul'"):
        kernel.silu_and_mul  # noqa: B018
    with pytest.raises(RuntimeError, match=f"for sglang {SGLANG_VERSION}, found 0.5.24"):
        stand_in(monkeypatch, "0.5.24")
