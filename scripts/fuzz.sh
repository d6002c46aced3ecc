#!/usr/bin/env bash
# Fuzzes every reader of untrusted files (ReaderFuzzTest's targets) for a while each, one after the other,
# and prints a line per target: executions, corpus size, findings. Usage (from the repository root):
#
#   scripts/fuzz.sh [DURATION] [TARGET ...]      # DURATION as libFuzzer takes it: 30s, 10m, 2h; default 10m
#
# A finding stops its target: Jazzer writes the input that crashed under
# sonus-core/src/test/resources/dev/sonus/fuzz/ReaderFuzzTestInputs/<target>/ (crash-*), where `./mvnw verify`
# then replays it as a regression test. The corpus grown while fuzzing is kept in .cifuzz-corpus/ (ignored by git)
# and reused by the next run. Logs go to target/fuzz/<target>.log.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10m}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(audioRead audioInfo safeTensors torchCheckpoint torchPickle json manifestCsv manifestJson hyperYaml)
fi

cd "$root"
./mvnw -B -q -pl sonus-core -am install -DskipTests >/dev/null
mkdir -p target/fuzz
printf '%-16s %12s %10s %8s %s\n' target executions exec/s corpus result
for t in "${targets[@]}"; do
  log="target/fuzz/$t.log"
  set +e
  # JUnit's @Timeout would count the whole session as one invocation; libFuzzer watches each input instead.
  JAZZER_FUZZ=1 ./mvnw -B -o -pl sonus-core surefire:test@fuzz-targets \
    -Dtest="ReaderFuzzTest#$t" -Djazzer.max_duration="$duration" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djunit.jupiter.execution.timeout.mode=disabled >"$log" 2>&1
  status=$?
  set -e
  # libFuzzer's last status line: "#N DONE cov: ... corp: C/..b ... exec/s: E ..."
  done_line="$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1 || true)"
  execs="$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$done_line")"
  rate="$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$done_line")"
  corpus="$(sed -nE 's/.*corp: ([0-9]+)\/.*/\1/p' <<<"$done_line")"
  # A finding is an input libFuzzer saved (crash-, timeout-, oom-, slow-unit-); slow inputs (over 10 s) are
  # reported by libFuzzer as "Slowest unit".
  if grep -qE 'Test unit written to|== Java Exception|ERROR: libFuzzer' "$log"; then
    result="FINDING, see $log"
  elif [ $status -ne 0 ] || ! grep -qE '^Done [0-9]+ runs' "$log"; then
    result="failed to run, see $log"
  else
    result="no finding"
  fi
  slow="$(grep -oE 'Slowest unit: [0-9]+ s' "$log" | tail -n 1 || true)"
  printf '%-16s %12s %10s %8s %s%s\n' "$t" "${execs:-?}" "${rate:-?}" "${corpus:-?}" "$result" "${slow:+ ($slow)}"
done
