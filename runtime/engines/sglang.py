"""One SGLang server (``python -m sglang.launch_server``) serving one model on its own GPUs, or on CPU.

SGLang runs from its own Python environment (``make sglang-env``): it pins torch and
openai versions that clash with ours. The interpreter is the engine's ``python``, else
``$GRA_SGLANG_PYTHON``, else ``.sglang-env/bin/python``.

Every flag used here is one of ``sglang/srt/server_args.py`` (SGLang 0.5): the server
binds 127.0.0.1, sees only its replica's GPUs through ``CUDA_VISIBLE_DEVICES``, reports
cached prompt tokens per request (``--enable-cache-report``: ``usage.prompt_tokens_details
.cached_tokens``, which the coordinator stores per call) and Prometheus metrics on
``/metrics`` (``--enable-metrics``), and is healthy once ``/health_generate`` has run a
one-token generation.

The API key: SGLang takes it only as ``--api-key`` (no key file, no variable), so it is
handed over in a YAML file read through SGLang's ``--config`` (``api-key: ...``), which
keeps it out of the process listing; the file is 0600 and removed once the server is up.
SGLang logs its whole settings, key included, at start: the log copy blanks it.

An engine with ``device = "cpu"`` runs one server on CPU from the CPU test environment
(``make sglang-cpu-env``); what that adds is in :mod:`runtime.engines.sglang_cpu`.
"""

from __future__ import annotations

import json
from pathlib import Path

from runtime.config import SGLangEngine
from runtime.engines.kinds import Kind, Place, register
from runtime.engines.process import KEY_FILE_PLACEHOLDER, EngineError, ServerProcess
from runtime.engines.sglang_cpu import check_cpu_env, cpu_args, cpu_env, cpu_model_path, cpu_python

SGLANG_VERSION = "0.5.23"  # keep in step with the Makefile and scripts/sglang-cpu/ (the CPU test environment)


class SGLangServer(ServerProcess):
    """One replica of an ``sglang`` engine: the model on ``gpus`` (none on CPU), under ``served_model_name``.
    ``cpus``: the cores a CPU server is pinned to (None: not pinned)."""

    health_path = "/health_generate"
    key_file_suffix = ".yaml"  # SGLang's --config reads only .yaml/.yml files
    poll_s = 2.0

    def __init__(
        self,
        name: str,
        spec: SGLangEngine,
        gpus: list[int],
        served_model_name: str,
        log_path: Path,
        api_key: str,
        port: int | None = None,
        cpus: frozenset[int] | None = None,
    ):
        super().__init__(name, log_path, api_key, port, cpus)
        self.spec, self.gpus, self.served_model_name = spec, list(gpus), served_model_name

    @property
    def on_cpu(self) -> bool:
        return self.spec.device == "cpu"

    def interpreter(self) -> str:
        """The engine's ``python``; else, on GPUs, ``$GRA_SGLANG_PYTHON`` or ``.sglang-env``, and on CPU the
        CPU test environment's (never a GPU environment: only that one carries the kernel stand-in)."""
        if self.on_cpu:
            return self.spec.python or str(cpu_python(SGLANG_VERSION))
        return self.spec.interpreter()

    def command(self, key_file: str = KEY_FILE_PLACEHOLDER) -> list[str]:
        s = self.spec
        cmd = [
            self.interpreter(),
            "-m",
            "sglang.launch_server",
            "--model-path",
            cpu_model_path(s.model, SGLANG_VERSION) if self.on_cpu else s.model,
            "--served-model-name",
            self.served_model_name,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--tp-size",
            str(s.tp_size),
            "--context-length",
            str(s.context_length),
        ]
        if s.mem_fraction_static is not None:
            cmd += ["--mem-fraction-static", str(s.mem_fraction_static)]
        if s.random_seed is not None:
            cmd += ["--random-seed", str(s.random_seed)]
        if self.on_cpu:
            cmd += cpu_args(s)
        cmd += ["--enable-cache-report", "--enable-metrics", "--log-level", "info", "--config", key_file]
        return cmd + list(s.extra_args)

    def env(self) -> dict[str, str]:
        """Only the replica's GPUs; and the Hub reachable (our Makefile sets ``HF_HUB_OFFLINE=1`` for our own
        process, but SGLang downloads the weights named by a Hugging Face id), unless the engine's ``env`` says so.
        On CPU: SGLang's CPU engine, ``threads`` threads (else one per pinned core, else one), no GPU."""
        if self.on_cpu:
            return cpu_env(self.spec, self.spec.threads or (len(self.cpus) if self.cpus else 1))
        return {"HF_HUB_OFFLINE": "0", **self.spec.env, "CUDA_VISIBLE_DEVICES": ",".join(map(str, self.gpus))}

    def key_file_text(self) -> str:
        return f"api-key: {json.dumps(self.api_key)}\n"  # a JSON string is a YAML string

    def start(self) -> None:
        if self.on_cpu:
            try:
                check_cpu_env(self.spec.model, SGLANG_VERSION, interpreter=self.spec.python is None)
            except EngineError as exc:
                raise EngineError(f"engine {self.name!r}: {exc}") from None
        python = self.interpreter()
        if not Path(python).is_file():
            hint = "run `make sglang-cpu-env`" if self.on_cpu else "run `make sglang-env` or set GRA_SGLANG_PYTHON"
            raise EngineError(f"engine {self.name!r}: SGLang's interpreter {python} does not exist; {hint}")
        super().start()


class SGLangKind(Kind):
    """``kind = "sglang"``: one server per replica on its GPUs, or one on this machine's cores (``device = "cpu"``)."""

    name = "sglang"

    def on_cpu(self, spec: SGLangEngine) -> bool:
        return spec.device == "cpu"

    def servers(self, engine: str, spec: SGLangEngine, place: Place) -> list[tuple[str, ServerProcess]]:
        out = []
        for i, gpus in enumerate(spec.servers):
            name = engine if len(spec.servers) == 1 else f"{engine}.{i}"
            server = SGLangServer(
                name, spec, gpus, place.served_model_name, place.log(name), place.api_key, place.port(), place.cores
            )
            out.append((name, server))
        return out


register(SGLangKind())
