#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL: both halves always run, each
# prints its own summary, and the command fails if either half failed.
set -uo pipefail
cd "$(dirname "$0")/.."
declare -A rc summary
for db in sqlite postgres; do
  echo "=== test suite on $db ==="
  log=$(mktemp)
  QM_TEST_DB=$db .venv/bin/python -m pytest "$@" 2>&1 | tee "$log"
  rc[$db]=${PIPESTATUS[0]}
  summary[$db]=$(grep -E '^(=+ )?[0-9]+ (passed|failed|error)' "$log" | tail -1)
  rm -f "$log"
done
echo
echo "=== summary ==="
status=0
for db in sqlite postgres; do
  verdict=passed; (( rc[$db] != 0 )) && { verdict="FAILED (exit ${rc[$db]})"; status=1; }
  echo "$db: $verdict — ${summary[$db]:-no summary line}"
done
count() { grep -oE "[0-9]+ $1" <<<"${summary[sqlite]} ${summary[postgres]}" | awk '{n+=$1} END {print n+0}'; }
failed=$(( $(count failed) + $(count error) ))
# one plain closing line over both halves
echo "both: $(count passed) passed, $failed failed"
exit $status
