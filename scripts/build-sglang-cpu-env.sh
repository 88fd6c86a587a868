#!/usr/bin/env bash
# CPU-TEST-ONLY: SGLang on CPU, for gra's engine tests against a real SGLang server (make sglang-cpu-env).
#
#   GGUF=path/to/SmolLM2-135M-Instruct.Q4_1.gguf scripts/build-sglang-cpu-env.sh [DEST_DIR]
#
# DEST_DIR (default ~/.cache/gra/sglang-cpu-<version>, or under $GRA_CACHE) gets, once per machine:
#   venv/    SGLang <version> and every package of scripts/sglang-cpu/requirements.txt (pinned, --no-deps),
#            plus the CPU-test-only sgl_kernel stand-in (scripts/sglang-cpu/sgl_kernel: PyPI has no CPU
#            build of sgl_kernel, and SGLang's CPU engine imports it);
#   models/smollm2-135m-instruct/   the GGUF converted to the Hugging Face folder SGLang loads
#            (scripts/sglang-cpu/convert_gguf.py).
# A finished environment is reused: the script exits at once when DEST_DIR/.installed holds the digest
# of this script and its inputs; otherwise it builds DEST_DIR anew and writes .installed last.
# This environment is never a GPU environment: `make sglang-env` (.sglang-env) is the one for GPUs.
set -euo pipefail
VERSION="${SGLANG_VERSION:-0.5.23}"
SRC="$(cd "$(dirname "$0")" && pwd)/sglang-cpu"
DEST="${1:-${GRA_CACHE:-$HOME/.cache/gra}/sglang-cpu-$VERSION}"
PY="${PYTHON:-python3}"
GGUF="${GGUF:?set GGUF to the SmolLM2 GGUF file}"
LOG="$DEST.log"
digest="$(cat "$0" "$SRC/requirements.txt" "$SRC/sgl_kernel/__init__.py" "$SRC/convert_gguf.py" | sha256sum | cut -c1-16)"
if [ "$(cat "$DEST/.installed" 2>/dev/null)" = "$digest" ]; then echo "$DEST"; exit 0; fi
fail() { tail -n 20 "$LOG" >&2; echo "gra: the SGLang CPU test environment did not install ($1); full log: $LOG" >&2; exit 1; }
grep -qx "sglang==$VERSION" "$SRC/requirements.txt" || { echo "gra: $SRC/requirements.txt does not pin sglang==$VERSION" >&2; exit 1; }
echo "gra: installing SGLang $VERSION for CPU tests into $DEST (once per machine: about 5 minutes and 7 GB)" >&2
rm -rf "$DEST"
mkdir -p "$DEST"
: >"$LOG"
"$PY" -m venv "$DEST/venv" >>"$LOG" 2>&1 || fail "python -m venv"
"$DEST/venv/bin/pip" install --no-deps --no-input -r "$SRC/requirements.txt" >>"$LOG" 2>&1 || fail "pip install"
site="$("$DEST/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
cp -r "$SRC/sgl_kernel" "$site/sgl_kernel"
"$DEST/venv/bin/python" -c "import sgl_kernel, sglang.version as v; print('sglang', v.__version__)" >>"$LOG" 2>&1 \
  || fail "import sglang and the stand-in"
OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 "$DEST/venv/bin/python" "$SRC/convert_gguf.py" "$GGUF" \
  "$DEST/models/smollm2-135m-instruct" >>"$LOG" 2>&1 || fail "converting $GGUF"
echo "$digest" >"$DEST/.installed"
echo "$DEST"
