"""Engine kinds register themselves: the supervisor asks the registry, and every kind a pool file may name has one."""

from typing import get_args

from runtime.config import Engine, load_pool
from runtime.engines.kinds import KINDS, Kind, Place, kind_of, register
from runtime.engines.process import ServerProcess
from runtime.engines.supervisor import Supervisor


def test_every_kind_a_pool_file_may_name_is_registered():
    union = get_args(get_args(Engine)[0])
    named = {model.model_fields["kind"].annotation.__args__[0] for model in union}
    assert named == set(KINDS) == {"llama.cpp", "sglang", "endpoint"}


def test_the_supervisor_builds_servers_from_the_kinds_not_from_types(tmp_path, monkeypatch):
    pool, _ = load_pool("tiny")
    made = []

    class Counting(Kind):
        name = "llama.cpp"

        def on_cpu(self, spec):
            return True

        def servers(self, engine, spec, place: Place):
            made.append((engine, place.cores is not None, place.log(engine).name))
            return [(engine, ServerProcess(engine, place.log(engine), place.api_key, port=place.port()))]

    original = KINDS["llama.cpp"]
    register(Counting())
    try:
        servers = Supervisor(pool, log_dir=tmp_path).build()
    finally:
        register(original)
    assert sorted(servers) == sorted(pool.engines) and kind_of(pool.engines["smollm2"]) is original
    assert sorted(made) == [("gemma3", True, "engine-gemma3.log"), ("smollm2", True, "engine-smollm2.log")]
