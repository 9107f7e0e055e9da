#!/usr/bin/env bash
# Instructions per call of each side of the dispatch benchmark (benches/dispatch.rs), counted
# by valgrind's callgrind: unlike time, the count does not change with the machine's load.
# Each side runs alone (DISPATCH_LOOP=TOOL/SIDE:COUNT) 1,000 and 3,000 times; the difference
# over 2,000 is one call, without the start-up both runs share.
#
#   bash test-suite/benches/instructions.sh        (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=$(cargo bench -p test-suite --bench dispatch --no-run --message-format=json 2>/dev/null |
  grep -o '"executable":"[^"]*dispatch-[^"]*"' | tail -n 1 | cut -d'"' -f4)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

per_call() {
  local counts=()
  for n in 1000 3000; do
    DISPATCH_LOOP="$1:$n" valgrind --tool=callgrind --callgrind-out-file="$scratch/out" \
      "$binary" >/dev/null 2>"$scratch/log"
    counts+=("$(grep -o 'Collected : [0-9]*' "$scratch/log" | tail -n 1 | grep -o '[0-9]*$')")
  done
  echo $(((counts[1] - counts[0]) / 2000))
}

report() {
  local hand ours
  hand=$(per_call "$1/hand")
  ours=$(per_call "$1/$2")
  awk -v t="$1" -v s="$2" -v h="$hand" -v o="$ours" \
    'BEGIN { printf "%s, %s / hand-written: %d / %d instructions per call = %.3fx\n", t, s, o, h, o / h }'
}

report plan_trip dispatch
report scale invoke
report scale dispatch
report get_current_weather invoke
report get_current_weather dispatch
