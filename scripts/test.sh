#!/usr/bin/env bash
# make test: every test, in two pytest runs side by side. The machine-host tests (marker e2e) run one after
# another in this terminal: their checks that nothing is left (network namespaces, links, routes) look at
# the whole host, so no two may overlap. Everything else (unit, emulator contract, real-engine tests on
# record hosts, which touch no kernel state) runs beside them, its output kept in a log that is printed
# when both are done. Arguments go to both runs (`scripts/test.sh --durations=40`).
set -uo pipefail
# job control: the run started in the background keeps SIGINT's default handling (without it, bash makes a
# background command ignore SIGINT, and every process it starts would inherit that)
set -m

log_dir="${PROVISIONING_LOG_DIR:-${TOOLS:-.tools}/logs}"
mkdir -p "$log_dir"
rest_log="$log_dir/test-rest.log"
e2e_log="$log_dir/test-e2e.log"

echo "==> test: the machine-host tests here; the others beside them (their output: $rest_log, printed at the end)"
python -m pytest -m "not e2e" "$@" >"$rest_log" 2>&1 &
rest=$!
trap 'kill -INT "$rest" 2>/dev/null; wait "$rest"' INT TERM

python -m pytest -m e2e "$@" 2>&1 | tee "$e2e_log"
e2e_status=${PIPESTATUS[0]}
wait "$rest"
rest_status=$?
trap - INT TERM
# pytest's 5 is "no test selected": arguments that name tests of one kind only leave the other run empty
[ "$e2e_status" -eq 5 ] && e2e_status=0
[ "$rest_status" -eq 5 ] && rest_status=0

echo
echo "==> test: the unit, emulator and record-host engine tests (exit $rest_status)"
cat "$rest_log"
# the machine-host run's outcome again, last, where a log's tail shows it
echo "==> test: the machine-host tests' outcome (their output: $e2e_log)"
grep -E '^(FAILED|ERROR) |^=+ .*(passed|failed|error|no tests ran)' "$e2e_log" | cut -c1-400
echo "==> test: machine-host tests exit $e2e_status; the others exit $rest_status"
[ "$e2e_status" -eq 0 ] && [ "$rest_status" -eq 0 ]
