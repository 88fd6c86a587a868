"""Seed files written for a test, and every class of bad seed file with the error it must get."""

from runtime.storage.seeds import MAX_LINE_BYTES


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


#: (file name, content, what the one-line error must say): every class of bad seed file
BAD_SEED_FILES = [
    ("empty.jsonl", "", "empty"),
    ("blank.jsonl", "\n\n  \n", "empty"),
    ("bad.jsonl", '{"instruction": "a", "output": "b"}\n{not json}\n', ":2: not valid JSON"),
    ("bad.json", '[{"instruction": "a", "output": "b"},\n {oops}]', ":2: not valid JSON"),
    ("missing.jsonl", '{"instruction": "a"}\n', ":1: missing field 'output'"),
    ("type.jsonl", '{"instruction": "a", "input": 3, "output": "b"}\n', ":1: field 'input' must be a string"),
    ("notobj.jsonl", '["a", "b"]\n', ":1: expected a JSON object"),
    ("noinstr.jsonl", '{"instruction": "  ", "output": "b"}\n', ":1: field 'instruction' is empty"),
    (
        "dup.jsonl",
        '{"id": 1, "instruction": "a", "output": "b"}\n{"id": "1", "instruction": "c", "output": "d"}\n',
        ":2: duplicate id '1' (first on line 1)",
    ),
    (
        "latin1.jsonl",
        b'{"instruction": "a", "output": "b"}\n{"instruction": "caf\xe9", "output": "b"}\n',
        ":2: not valid UTF-8",
    ),
    ("huge.jsonl", '{"instruction": "' + "x" * (MAX_LINE_BYTES + 1) + '", "output": "b"}\n', ":1: line is longer"),
]
