#!/usr/bin/env bash
# Build llama.cpp's `llama-server` from the llama.cpp source that ships inside the
# llama-cpp-python sdist on PyPI (the only registry this machine reaches).
#
#   scripts/build-llama-server.sh [DEST_DIR]
#
# The binary lands in DEST_DIR/bin/llama-server (default: ~/.cache/gra/llama.cpp-<ver>-noamx).
# It is built for this CPU (GGML_NATIVE) but without Intel AMX: on CPUs whose kernel gates
# AMX tile state per thread (XFD), ggml's AMX kernels segfault in worker threads that never
# asked for it (llama.cpp PR 26954), so Q4_K models such as Gemma-3 crash at start.
# GCC's explicit -mno-amx-* flags win over -march=native whatever their order.
# A finished build is reused: the script exits at once when the binary exists.
set -euo pipefail
VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
DEST="${1:-${GRA_CACHE:-$HOME/.cache/gra}/llama.cpp-$VERSION-noamx}"
NO_AMX="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
BIN="$DEST/bin/llama-server"
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi
PY="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "gra: building llama-server from llama-cpp-python==$VERSION sdist (about 7 minutes on 2 cores)" >&2
"$PY" -m pip download --quiet --no-deps --no-binary :all: -d "$work" "llama-cpp-python==$VERSION" >&2
tar -xzf "$work"/llama_cpp_python-"$VERSION".tar.gz -C "$work"
src="$work/llama_cpp_python-$VERSION/vendor/llama.cpp"
log="$work/build.log"
fail() { tail -n 60 "$log" >&2; echo "gra: llama-server build failed (full log above, last 60 lines)" >&2; exit 1; }
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_SERVER=ON -DGGML_NATIVE=ON -DLLAMA_USE_PREBUILT_UI=OFF \
  -DCMAKE_C_FLAGS="$NO_AMX" -DCMAKE_CXX_FLAGS="$NO_AMX" >"$log" 2>&1 || fail  # no web UI download
cmake --build "$work/build" --target llama-server -j "$(nproc)" >>"$log" 2>&1 || fail
mkdir -p "$DEST/bin.tmp"
cp "$work/build/bin/llama-server" "$DEST/bin.tmp/"
rm -rf "$DEST/bin" && mv "$DEST/bin.tmp" "$DEST/bin"   # appear atomically: no half-built binary
echo "$BIN"
