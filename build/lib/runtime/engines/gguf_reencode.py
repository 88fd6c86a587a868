"""Re-encode a GGUF file's slow-on-CPU tensors into a type llama.cpp's CPU backend runs faster.

SmolLM2-135M-Instruct ships as Q4_1, a legacy type that llama.cpp's CPU backend computes
with its plain dot-product kernels. The same numbers stored as F16 prefill about twice as
fast, and F16 holds every Q4_1 value (``d * q + m``) to within f16 rounding: nothing is
re-quantized, the model is the one shipped (the README gives the measurements).
``reencoded(path, "f16")`` builds the file once and then returns the cached one.

The file is written to the cache next to the assembled weights, under a name that carries
a hash of the source's bytes: every checkout and virtualenv with the same package shares
one file, and an upgraded package gets a new one, which replaces the old. It appears there
atomically, complete or not at all.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import gguf
from gguf import GGMLQuantizationType as QType
from gguf import quants

from runtime.engines.weights import cache_dir, sha256_of
from runtime.files import atomic_path

Encoding = Literal["f16", "q8_0"]

#: Types without a repacked CPU kernel in llama.cpp (Q4_0, Q4_K and Q8_0 have one or are fast already).
SLOW_ON_CPU = frozenset({QType.Q4_1, QType.Q5_0, QType.Q5_1})

_TARGET = {"f16": QType.F16, "q8_0": QType.Q8_0}
_FILE_TYPE = {"f16": gguf.LlamaFileType.MOSTLY_F16, "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0}


def reencoded_path(source: Path, encoding: Encoding) -> Path:
    """Where :func:`reencoded` keeps ``source`` re-encoded as ``encoding`` (it may not exist yet)."""
    st = source.stat()
    tag = _content_tag(source.resolve(), st.st_size, st.st_mtime_ns)
    return cache_dir() / "weights" / f"{source.stem}.{encoding}-{tag}.gguf"


@functools.lru_cache(maxsize=16)
def _content_tag(source: Path, size: int, mtime_ns: int) -> str:
    """The first 12 hex digits of the file's SHA-256 (read once per path, size and mtime)."""
    return sha256_of(source)[:12]


def reencoded(source: Path, encoding: Encoding) -> Path:
    """``source`` with its :data:`SLOW_ON_CPU` tensors stored as ``encoding``; built on first use."""
    target = reencoded_path(source, encoding)
    if target.is_file():
        return target  # only ever renamed into place once complete
    with atomic_path(target) as partial:
        _write(source, partial, encoding)
    for stale in target.parent.glob(f"{source.stem}.{encoding}-*.gguf"):
        if stale != target:  # an older package's re-encoding: a server still using it keeps its open file
            stale.unlink(missing_ok=True)
    return target


def _write(source: Path, dest: Path, encoding: Encoding) -> None:
    reader = gguf.GGUFReader(source)
    arch = reader.fields[gguf.Keys.General.ARCHITECTURE].contents()
    writer = gguf.GGUFWriter(dest, arch)
    for field in reader.fields.values():
        if field.name == gguf.Keys.General.ARCHITECTURE or field.name.startswith("GGUF."):
            continue  # written by GGUFWriter itself
        value_type = field.types[0]
        sub_type = field.types[-1] if value_type == gguf.GGUFValueType.ARRAY else None
        value = field.contents()
        if field.name == gguf.Keys.General.FILE_TYPE:
            value = int(_FILE_TYPE[encoding])
        writer.add_key_value(field.name, value, value_type, sub_type=sub_type)
    for tensor in reader.tensors:
        data, qtype = tensor.data, tensor.tensor_type
        if qtype in SLOW_ON_CPU:
            qtype, data = _TARGET[encoding], quants.quantize(quants.dequantize(data, qtype), _TARGET[encoding])
        writer.add_tensor(tensor.name, data, raw_shape=data.shape, raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
