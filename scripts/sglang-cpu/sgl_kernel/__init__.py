"""CPU-TEST-ONLY stand-in for SGLang's ``sgl_kernel``: one op in pure torch, for SGLang 0.5.23 on a CPU without AMX.

Never on a GPU path: ``scripts/build-sglang-cpu-env.sh`` copies it into the CPU test
environment only (``~/.cache/gra/sglang-cpu-<version>``), never into ``.sglang-env``.

Why it exists: SGLang's CPU engine (``SGLANG_USE_CPU_ENGINE=1``) imports ``sgl_kernel``
at start, and PyPI has no CPU build of it. On a CPU without Intel AMX, serving a dense
model calls exactly one of its ops, ``assign_req_to_token_pool_cpu`` (writing a batch's
new KV-cache slots into the request-to-token table); ``copy_all_layer_kv_cache_cpu`` is
imported at start and raises if ever called. Any other name is missing, as it would be
from an ``sgl_kernel`` without it. It registers no ``torch.ops.sgl_kernel`` op, so SGLang
sees no AMX backend even on a CPU that has AMX, and keeps to its pure-torch paths.

It refuses any SGLang but the pinned one: the op's calling convention is that version's.
"""

SGLANG_VERSION = "0.5.23"  # keep in step with runtime/engines/sglang.py


def _check_version() -> None:
    from importlib.metadata import version

    found = version("sglang")
    if found != SGLANG_VERSION:
        raise RuntimeError(f"gra's CPU-test sgl_kernel stand-in is for sglang {SGLANG_VERSION}, found {found}")


_check_version()


def assign_req_to_token_pool_cpu(req_pool_indices, req_to_token, start_offset, end_offset, out_cache_loc, pool_len):
    """``req_to_token[req_pool_indices[i], start[i]:end[i]] = `` the next ``end[i] - start[i]`` entries of
    ``out_cache_loc``, request after request (SGLang's Triton kernel ``assign_req_to_token_pool``)."""
    offset = 0
    for row, start, end in zip(req_pool_indices.tolist(), start_offset.tolist(), end_offset.tolist(), strict=True):
        n = end - start
        req_to_token[row, start:end] = out_cache_loc[offset : offset + n].to(req_to_token.dtype)
        offset += n


def _not_here(name: str):
    def op(*args, **kwargs):
        raise NotImplementedError(f"gra's CPU-test sgl_kernel stand-in does not implement {name}")

    op.__name__ = name
    return op


#: The other names SGLang 0.5.23 imports from ``sgl_kernel`` at start on the CPU path (KV-cache moves and
#: speculative decoding); serving a dense model calls none of them, and each raises if it ever is.
IMPORTED_ONLY = (
    "copy_all_layer_kv_cache_cpu",
    "assign_draft_cache_locs_contiguous_cpu",
    "assign_extend_cache_locs_cpu",
    "build_tree_kernel_efficient_cpu",
    "verify_tree_greedy_cpu",
    "fill_accept_out_cache_loc_cpu",
    "fill_bonus_tokens_cpu",
    "rotate_input_ids_cpu",
)
globals().update({name: _not_here(name) for name in IMPORTED_ONLY})


def __getattr__(name: str):
    raise AttributeError(f"gra's CPU-test sgl_kernel stand-in has no {name!r} (only assign_req_to_token_pool_cpu)")
