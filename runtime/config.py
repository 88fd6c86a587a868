"""The pool file (:class:`Pool`): which engines to run and which members play the roles; and
the one retry policy (:class:`Retry`). The run settings are :mod:`runtime.settings`.

A pool is a TOML file (see ``runtime/pools/cpu.toml``) with a ``[sampling]`` table of
defaults, ``[engines.NAME]`` tables and ``[[members]]``. A member is (name, engine,
sampling); several members may share one engine. Engines are ``llama.cpp`` (started
here from a GGUF file), ``sglang`` (started here on GPUs, one SGLang server per replica,
see ``runtime/pools/paper.toml``; or one server on CPU for tests, ``runtime/pools/tiny-sglang.toml``)
or ``endpoint`` (any OpenAI-compatible server that is already running elsewhere).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from runtime.errors import GraError

#: Characters of one repeated unit that make an answer a loop (runtime.calls.repetition).
REPETITION_SPAN = 300


BUILTIN_DIR = Path(__file__).parent / "pools"


class PoolFileError(GraError, ValueError):
    """A pool file that cannot be used; ``str()`` is the one-line message for the user."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Sampling(_Strict):
    temperature: float = Field(0.2, ge=0.0, le=2.0)
    top_p: float = Field(0.9, gt=0.0, le=1.0)
    max_tokens: int = Field(4096, ge=16)


class LlamaCppEngine(_Strict):
    kind: Literal["llama.cpp"]
    model: str
    slots: int = Field(4, ge=1, le=64)
    context_per_slot: int = Field(4096, ge=512)
    threads: int | None = Field(None, ge=1)
    prompt_cache_mib: int = Field(2048, ge=0)  # host-RAM cache of finished prompts (llama-server --cache-ram)
    reencode: Literal["f16", "q8_0"] | None = (
        None  # serve Q4_1/Q5_x tensors as this type (runtime.engines.gguf_reencode)
    )
    extra_args: list[str] = []
    dialect: Literal["llama_json_schema", "json_schema"] = "llama_json_schema"


class EndpointEngine(_Strict):
    kind: Literal["endpoint"]
    base_url: str
    api_key_env: str | None = None
    slots: int = Field(8, ge=1)
    context_per_slot: int = Field(32768, ge=512)
    dialect: Literal["json_schema", "llama_json_schema", "json_object_schema", "none"] = "json_schema"


class SGLangEngine(_Strict):
    """One model served by SGLang (``python -m sglang.launch_server``), one server per replica.

    On GPUs (``device = "cuda"``, the default) ``replicas`` lists the GPUs of each replica:
    ``[[0]]`` is one server on GPU 0, ``[[0], [5]]`` two servers of the same model on GPUs 0
    and 5 (the member's calls spread over both), ``[[2, 3]]`` with ``tp_size = 2`` one server
    split over two GPUs. Each server sees only its own GPUs (``CUDA_VISIBLE_DEVICES``).

    On CPU (``device = "cpu"``) one server runs on ``threads`` threads with no GPU, its KV cache
    bounded by ``max_total_tokens``: the engine tests' real SGLang (docs/sglang-cpu.md).
    """

    kind: Literal["sglang"]
    model: str = Field(description="Hugging Face id or local folder (SGLang's --model-path)")
    device: Literal["cuda", "cpu"] = "cuda"
    replicas: list[list[int]] | None = Field(None, min_length=1, description="GPUs per server (cuda only)")
    tp_size: int = Field(1, ge=1, le=8)
    context_length: int = Field(8192, ge=512)
    slots: int = Field(64, ge=1, le=1024, description="requests in flight per replica")
    mem_fraction_static: float | None = Field(None, gt=0.0, lt=1.0)
    max_total_tokens: int | None = Field(None, ge=512, description="KV-cache tokens; on CPU default context_length")
    threads: int | None = Field(None, ge=1, description="CPU threads of the server (cpu only)")
    served_model_name: str | None = None
    python: str | None = Field(None, description="SGLang's interpreter; default $GRA_SGLANG_PYTHON or .sglang-env")
    ready_timeout_s: float = Field(1800.0, gt=0, description="first start downloads and compiles: be generous")
    random_seed: int | None = 0
    extra_args: list[str] = []
    env: dict[str, str] = {}
    dialect: Literal["json_schema", "json_object_schema", "none"] = "json_schema"

    @model_validator(mode="after")
    def _placement(self) -> SGLangEngine:
        if self.device == "cpu":
            for name, unset in (("replicas", None), ("mem_fraction_static", None), ("tp_size", 1)):
                if getattr(self, name) != unset:
                    raise ValueError(f"{name}: not for device 'cpu' (one server, no GPU)")
            return self
        if self.replicas is None:
            raise ValueError("replicas: required for device 'cuda' (the GPUs of each server, e.g. [[0]])")
        if self.threads is not None:
            raise ValueError("threads: only for device 'cpu'")
        for gpus in self.replicas:
            if len(gpus) != self.tp_size:
                raise ValueError(f"replica {gpus} has {len(gpus)} GPU(s) but tp_size is {self.tp_size}")
            if len(set(gpus)) != len(gpus) or min(gpus) < 0:
                raise ValueError(f"replica {gpus} must list distinct GPU numbers >= 0")
        return self

    @property
    def servers(self) -> list[list[int]]:
        """The GPUs of each server it runs: its replicas, or one server with none on CPU."""
        return [[]] if self.device == "cpu" else list(self.replicas or [])

    @property
    def context_per_slot(self) -> int:
        return self.context_length

    def interpreter(self) -> str:
        """``python`` from the pool file, else ``$GRA_SGLANG_PYTHON``, else ``.sglang-env/bin/python`` here."""
        return self.python or os.environ.get("GRA_SGLANG_PYTHON") or str(Path(".sglang-env/bin/python").absolute())


class Retry(_Strict):
    """Extra attempts a call gets after each failure status: bounded, so a call never loops forever.

    Every retry asks for a new sample (a different seed; DSPy's response cache is off for
    members), so a retry never gets the same answer back. ``engine_error`` waits
    ``backoff_s × 2^attempt`` first; parse failures retry at once.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    truncated: int = Field(1, ge=0, le=10)
    invalid: int = Field(1, ge=0, le=10)
    refused: int = Field(1, ge=0, le=10)
    degenerate: int = Field(1, ge=0, le=10)
    engine_error: int = Field(2, ge=0, le=10)
    backoff_s: float = Field(1.0, ge=0.0, le=60.0)

    def extra_attempts(self, status: str) -> int:
        retried = ("truncated", "invalid", "refused", "degenerate", "engine_error")
        return getattr(self, status) if status in retried else 0

    def delay(self, status: str, attempt: int) -> float:
        return self.backoff_s * 2**attempt if status == "engine_error" else 0.0


Engine = Annotated[LlamaCppEngine | SGLangEngine | EndpointEngine, Field(discriminator="kind")]


class Member(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    engine: str
    seed: int | None = None
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(None, ge=16)


class Pool(_Strict):
    name: str
    sampling: Sampling = Sampling()
    retry: Retry = Retry()
    timeout_s: float = Field(600.0, gt=0, description="per request, before it counts as an engine error")
    repetition_span: int = Field(
        REPETITION_SPAN, ge=0, description="characters of one repeated unit that make a loop; 0: off"
    )
    engines: dict[str, Engine]
    members: list[Member]
    prompts: str | None = Field(
        None, description="a prompt pack folder, relative to the pool file, or a shipped pack's name"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Pool:
        names = [m.name for m in self.members]
        if len(set(names)) != len(names):
            raise ValueError(f"member names must be unique, got {names}")
        for m in self.members:
            if m.engine not in self.engines:
                raise ValueError(f"member {m.name!r} names engine {m.engine!r}, which is not in [engines]")
        owner: dict[int, str] = {}
        for name, engine in self.engines.items():
            for gpu in (g for replica in getattr(engine, "replicas", None) or [] for g in replica):
                if gpu in owner:
                    raise ValueError(f"GPU {gpu} is given to engine {owner[gpu]!r} and to engine {name!r}")
                owner[gpu] = name
        served = [self.served_model_name(n) for n, e in self.engines.items() if isinstance(e, SGLangEngine)]
        if len(set(served)) != len(served):
            raise ValueError(f"served model names must be unique, got {served}")
        return self

    def served_model_name(self, engine: str) -> str:
        """The name an SGLang engine serves under: its own setting, else ``gra-<member>`` when one
        member uses it (the model name that member's requests carry), else ``gra-<engine>``."""
        spec = self.engines[engine]
        if getattr(spec, "served_model_name", None):
            return spec.served_model_name
        users = [m.name for m in self.members if m.engine == engine]
        return f"gra-{users[0]}" if len(users) == 1 else f"gra-{engine}"

    def model_of(self, member: str) -> str:
        """The model a member runs: its engine's ``model``, else (an endpoint) the engine's name.

        Compiled prompts are kept per model (:mod:`runtime.storage.pack`), so members of
        one model share them.
        """
        engine = next(m.engine for m in self.members if m.name == member)
        return getattr(self.engines[engine], "model", engine)

    def sampling_for(self, member: Member) -> dict[str, float | int]:
        """The member's sampling parameters; max_tokens is capped by its engine's context per slot."""
        engine = self.engines[member.engine]
        values = self.sampling.model_dump()
        for key in ("temperature", "top_p", "max_tokens"):
            if getattr(member, key) is not None:
                values[key] = getattr(member, key)
        values["max_tokens"] = min(values["max_tokens"], engine.context_per_slot)
        if member.seed is not None:
            values["seed"] = member.seed
        return values

    def check_member(self, name: str, source: str = "pool") -> None:
        names = [m.name for m in self.members]
        if name not in names:
            raise PoolFileError(f"{source}: no member named {name!r} ({', '.join(names)})")

    def check_roles(self, n_reviewers: int, source: str = "pool") -> None:
        if len(self.members) < n_reviewers + 2:
            raise PoolFileError(
                f"{source}: {len(self.members)} members cannot fill 1 generator + {n_reviewers} reviewers"
                f" + 1 adjudicator (need at least {n_reviewers + 2})"
            )


def resolve_pool_path(name_or_file: str) -> Path:
    """A path as given, else a pool that ships with gra (``runtime/pools``: cpu, tiny, paper, ...)."""
    path = Path(name_or_file).expanduser()
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise PoolFileError(f"{path}: no such pool file")
        return path
    if (BUILTIN_DIR / f"{name_or_file}.toml").is_file():
        return BUILTIN_DIR / f"{name_or_file}.toml"
    known = ", ".join(sorted(p.stem for p in BUILTIN_DIR.glob("*.toml")))
    raise PoolFileError(f"{name_or_file}: not a pool file nor a built-in pool ({known})")


def load_pool(name_or_file: str) -> tuple[Pool, Path]:
    """Read a pool by built-in name (``cpu``) or path. Raises :class:`PoolFileError` with one line."""
    path = resolve_pool_path(name_or_file)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise PoolFileError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise PoolFileError(f"{path}: {exc}") from None
    try:
        return Pool.model_validate(data), path
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "pool"
        raise PoolFileError(f"{path}: {where}: {err['msg']}") from None
