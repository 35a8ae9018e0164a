#!/usr/bin/env bash
# `make test`: every tier in order, the time of each, and a non-zero exit if any failed.
# pytest's exit code 5 (no tests collected) counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
declare -a names times codes
run() {
  local name=$1; shift
  echo; echo "=== $name: $*"
  local start=$SECONDS
  "$@"; local code=$?
  names+=("$name"); times+=($((SECONDS - start))); codes+=($code)
}
run lint    bash -c "$BIN/ruff check . && $BIN/ruff format --check . && $BIN/mypy shared localstack/localcloud ops/algoarts_ops functions tests"
run checks  bash tests/checks/run_checks.sh
run unit        $BIN/pytest tests/unit -q -p no:cacheprovider
run integration $BIN/pytest tests/integration -q -p no:cacheprovider --durations=8
run functions   $BIN/pytest tests/functions -q -p no:cacheprovider --durations=8
run e2e         $BIN/pytest tests/e2e -q -p no:cacheprovider --durations=15
echo; echo "=== time per tier"
failed=0
for i in "${!names[@]}"; do
  status=passed; [ "${codes[$i]}" -ne 0 ] && { status="FAILED (exit ${codes[$i]})"; failed=1; }
  printf '  %-12s %5ss  %s\n' "${names[$i]}" "${times[$i]}" "$status"
done
exit $failed
