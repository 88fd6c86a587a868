"""One SGLang server (``python -m sglang.launch_server``) serving one model on its own GPUs.

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
"""

from __future__ import annotations

import json
from pathlib import Path

from runtime.config import SGLangEngine
from runtime.engines.process import KEY_FILE_PLACEHOLDER, EngineError, ServerProcess

SGLANG_VERSION = "0.5.23"  # keep in step with the Makefile's sglang-env


class SGLangServer(ServerProcess):
    """One replica of an ``sglang`` engine: the model on ``gpus``, under ``served_model_name``."""

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
    ):
        super().__init__(name, log_path, api_key, port)
        self.spec, self.gpus, self.served_model_name = spec, list(gpus), served_model_name

    def command(self, key_file: str = KEY_FILE_PLACEHOLDER) -> list[str]:
        s = self.spec
        cmd = [
            s.interpreter(),
            "-m",
            "sglang.launch_server",
            "--model-path",
            s.model,
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
        cmd += ["--enable-cache-report", "--enable-metrics", "--log-level", "info", "--config", key_file]
        return cmd + list(s.extra_args)

    def env(self) -> dict[str, str]:
        """Only the replica's GPUs; and the Hub reachable (our Makefile sets ``HF_HUB_OFFLINE=1`` for our own
        process, but SGLang downloads the weights named by a Hugging Face id), unless the engine's ``env`` says so."""
        return {"HF_HUB_OFFLINE": "0", **self.spec.env, "CUDA_VISIBLE_DEVICES": ",".join(map(str, self.gpus))}

    def key_file_text(self) -> str:
        return f"api-key: {json.dumps(self.api_key)}\n"  # a JSON string is a YAML string

    def start(self) -> None:
        python = self.spec.interpreter()
        if not Path(python).is_file():
            raise EngineError(
                f"engine {self.name!r}: SGLang's interpreter {python} does not exist;"
                " run `make sglang-env` or set GRA_SGLANG_PYTHON"
            )
        super().start()
