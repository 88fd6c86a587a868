"""Re-encoding a GGUF's Q4_1 tensors: the same numbers, a faster type, written once and atomically."""

import gguf
import numpy as np
import pytest
from gguf import GGMLQuantizationType as QType
from gguf import quants

from runtime.engines import gguf_reencode
from runtime.engines.gguf_reencode import reencoded, reencoded_path
from runtime.engines.weights import GGUF_MODELS

pytestmark = pytest.mark.slow  # re-encodes a real model file: left out of `make check`


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRA_CACHE", str(tmp_path / "cache"))


def tiny_gguf(path, seed=0):
    """A two-tensor llama-style file: a Q4_1 matrix and an F32 norm, plus some metadata."""
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    w = gguf.GGUFWriter(path, "llama")
    w.add_name("tiny")
    w.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_1)
    w.add_token_list(["<s>", "a", "b"])
    q41 = quants.quantize(rng.standard_normal((8, 64)).astype(np.float32), QType.Q4_1)
    w.add_tensor("blk.0.attn_q.weight", q41, raw_shape=q41.shape, raw_dtype=QType.Q4_1)
    w.add_tensor("blk.0.attn_norm.weight", rng.standard_normal(64).astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def tensors(path):
    return {t.name: t for t in gguf.GGUFReader(path).tensors}


def test_q4_1_tensors_become_f16_holding_the_same_values_and_the_rest_is_kept(tmp_path):
    source = tiny_gguf(tmp_path / "tiny.Q4_1.gguf")
    out = reencoded(source, "f16")
    before, after = tensors(source), tensors(out)
    q, norm = after["blk.0.attn_q.weight"], after["blk.0.attn_norm.weight"]
    assert q.tensor_type == QType.F16 and norm.tensor_type == QType.F32
    exact = quants.dequantize(before["blk.0.attn_q.weight"].data, QType.Q4_1)
    assert np.allclose(q.data.astype(np.float32), exact, rtol=1e-3, atol=1e-3)  # f16 rounding only
    assert np.array_equal(norm.data, before["blk.0.attn_norm.weight"].data)
    fields = gguf.GGUFReader(out).fields
    assert fields["general.name"].contents() == "tiny"
    assert fields["tokenizer.ggml.tokens"].contents() == ["<s>", "a", "b"]
    assert fields["general.file_type"].contents() == gguf.LlamaFileType.MOSTLY_F16


def test_q8_0_is_the_other_encoding(tmp_path):
    out = reencoded(tiny_gguf(tmp_path / "tiny.gguf"), "q8_0")
    assert tensors(out)["blk.0.attn_q.weight"].tensor_type == QType.Q8_0


def test_it_is_built_once_and_a_changed_source_gets_a_new_file_that_replaces_the_old(tmp_path):
    source = tiny_gguf(tmp_path / "tiny.gguf")
    first = reencoded(source, "f16")
    stamp = first.stat().st_mtime_ns
    assert reencoded(source, "f16") == first and first.stat().st_mtime_ns == stamp  # from the cache
    tiny_gguf(source, seed=1)  # other weights, as a package upgrade brings
    second = reencoded(source, "f16")
    assert second != first and second.exists() and not first.exists()


def test_copies_of_the_same_weights_share_one_re_encoded_file(tmp_path):
    """Each clean checkout installs the package afresh (new path, new mtime): one file serves them all."""
    a = tiny_gguf(tmp_path / "venv-a" / "tiny.gguf")
    b = tmp_path / "venv-b" / "tiny.gguf"
    b.parent.mkdir()
    b.write_bytes(a.read_bytes())
    assert reencoded(a, "f16") == reencoded(b, "f16")
    assert len(list(reencoded_path(a, "f16").parent.iterdir())) == 1


def test_a_failed_write_leaves_nothing_in_the_cache(tmp_path, monkeypatch):
    source = tiny_gguf(tmp_path / "tiny.gguf")

    def broken(src, dest, encoding):
        dest.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(gguf_reencode, "_write", broken)
    with pytest.raises(OSError, match="disk full"):
        reencoded(source, "f16")
    assert list(reencoded_path(source, "f16").parent.iterdir()) == []


def test_the_shipped_smollm2_re_encodes_to_f16_without_changing_a_weight(tmp_path):
    source = GGUF_MODELS["smollm2-135m-instruct"].path()
    before, after = tensors(source), tensors(reencoded(source, "f16"))
    assert before.keys() == after.keys()
    changed = [n for n, t in before.items() if t.tensor_type == QType.Q4_1]
    assert changed and all(after[n].tensor_type == QType.F16 for n in changed)
    for name in changed[:12]:
        exact = quants.dequantize(before[name].data, QType.Q4_1)
        assert np.allclose(after[name].data.astype(np.float32), exact, rtol=1e-3, atol=1e-4)
    kept = [n for n in before if n not in changed]
    assert all(after[n].tensor_type == before[n].tensor_type for n in kept)
