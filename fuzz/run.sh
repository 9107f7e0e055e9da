#!/usr/bin/env bash
# Runs the fuzz targets: ./run.sh [SECONDS] [TARGET...]  (default 60 s each, every target).
#
# Installs cargo-fuzz from crates.io if it is missing. Runs on the stable toolchain:
# RUSTC_BOOTSTRAP=1 lets it take the nightly-only flags libFuzzer's sanitizer needs.
# Each target starts from its seed corpus (corpus/TARGET, left as committed: what the run
# finds goes to .work/corpus/TARGET, kept between runs and ignored by git) with its
# dictionary (dict/TARGET.dict); a crash is saved under artifacts/TARGET/. Prints per
# target the seconds, executions, coverage and whether it crashed; exits non-zero if any
# target crashed.
set -uo pipefail
cd "$(dirname "$0")"

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(sse openai_stream responses_stream anthropic_stream parse_calls text_calls snapshot_diff dispatch)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked || exit 1
fi

export RUSTC_BOOTSTRAP=1
# Its own target directory: the sanitizer's flags would rebuild the workspace's.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$(pwd)/target}"

cargo fuzz build -O || exit 1

summary=()
failed=0
for target in "${targets[@]}"; do
  log="$(mktemp)"
  start=$(date +%s)
  mkdir -p ".work/corpus/$target"
  cargo fuzz run -O "$target" ".work/corpus/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -dict="dict/$target.dict" -print_final_stats=1 \
    -rss_limit_mb=2048 -timeout=10 >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    result="no crash"
  else
    failed=1
    crash=$(grep -oE 'artifacts/[^ ]+' "$log" | tail -1)
    why=$(grep -m1 -E "panicked at|ERROR: libFuzzer|SUMMARY" "$log")
    result="CRASH ${crash:-?}: ${why}"
    tail -40 "$log"
  fi
  line="$target: ${took}s, ${runs:-?} runs, ${cov:-cov ?}, $result"
  echo "$line"
  summary+=("$line")
  rm -f "$log"
done

echo
echo "summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
exit $failed
