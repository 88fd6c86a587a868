"""gra's own prompts, hashed: the digest moves with a role's wording, its layout and a demo, and nothing else."""

import os
import subprocess
import sys

import runtime.calls.prompt_digest as digest
from signatures import ALL_SIGNATURES, CheckInstruction

compute = digest.prompt_digest.__wrapped__  # the uncached digest


def test_it_is_the_same_in_another_process_with_another_hash_seed():
    code = "from runtime.calls.prompt_digest import prompt_digest; print(prompt_digest())"
    env = os.environ | {"PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == compute()


def test_it_changes_with_a_roles_wording(monkeypatch):
    before = compute()
    reworded = CheckInstruction.with_instructions(CheckInstruction.instructions + " Be brief.")
    swapped = tuple(reworded if s is CheckInstruction else s for s in ALL_SIGNATURES)
    monkeypatch.setattr(digest, "ALL_SIGNATURES", swapped)
    assert compute() != before


def test_it_changes_with_the_layout_the_adapter_gives_a_signature(monkeypatch):
    before = compute()
    monkeypatch.setattr(digest.StructuredAdapter, "format", lambda self, sig, demos, inputs: [{"content": "other"}])
    assert compute() != before


def test_it_changes_with_a_hand_written_demo(monkeypatch):
    before = compute()
    monkeypatch.setattr(digest, "PROGRAMS", digest.PROGRAMS[:-1])
    assert compute() != before


def test_a_check_is_rendered_as_it_is_sent():
    system, user = digest.rendered(CheckInstruction)
    assert system["role"] == "system" and "{instruction}" in user["content"] and "{question}" in user["content"]
