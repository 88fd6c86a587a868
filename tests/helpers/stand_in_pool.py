"""A pool file of two models on stand-in engines that answer as a scripted committee, and labelled rows for it."""

import json


def write_pool(tmp_path, engines, members=4):
    """Two models (``model0``, ``model1``), one per stand-in engine, ``members`` members taking turns on them."""
    text = 'name = "stand-in"\n'
    for i, e in enumerate(engines):
        text += f'[engines.model{i}]\nkind = "endpoint"\nbase_url = "{e.base_url}"\n'
    for i in range(members):
        text += f'[[members]]\nname = "m{i}"\nengine = "model{i % len(engines)}"\n'
    path = tmp_path / "pool.toml"
    path.write_text(text)
    return path


def judge_rows(n=12):
    """Half right, half wrong: the scripted committee scores a WRONG response 3 and any other 9."""
    rows = []
    for i in range(n):
        right = i % 2 == 0
        out = f"{i} + 1 = {i + 1}" if right else f"{i} + 1 = {i + 7} WRONG"
        rows.append({"id": f"j{i}", "instruction": f"Add 1 to {i}.", "input": "", "output": out, "correct": right})
    return rows


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path
