#!/usr/bin/env bash
# `slayer backfill` end to end (docs/insights.md#backfill): slayer-sim writes two days of
# Airflow 2 history (ending an hour ago) into the test PostgreSQL server; `slayer backfill`
# records the outcomes (log-line progress; a bar with --progress bar); a second run and a
# --restart run add nothing; bad flags exit 2; `slayer report --format json` and
# /api/v1/report of a `slayer serve` on the same store return the same groups, and serve's
# first-start backfill finds nothing new.
# Usage: backfill_e2e_test.sh SLAYER SLAYER_SIM DAGS_YAML SERVERS_DIR
set -uo pipefail
slayer=$1 sim=$2 dags=$3 servers=$4
source "$(dirname "$0")/e2e_lib.sh"

admin=$(cat "$servers/postgres.dsn") || die "no PostgreSQL test server in $servers"
psql -q "$admin" -c "DROP DATABASE IF EXISTS slayer_backfill_e2e" \
  -c "CREATE DATABASE slayer_backfill_e2e" >/dev/null || die "cannot create the database"
airflow_db=${admin%/*}/slayer_backfill_e2e

start=$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)
"$sim" --database "$airflow_db" --airflow 2 --dags "$dags" --init --history 2d --start "$start" \
  >"$tmp/sim.log" 2>&1 || die "slayer-sim failed"

# queued_at references: no expected runs, so the live engine of `serve` adds no outcomes to
# the history that the backfill wrote.
cat >"$tmp/slayer.yml" <<YML
airflow:
  - name: e2e
    database: \${E2E_AIRFLOW_DB}
    poll_interval: 1s
    airflow_native: false
storage: sqlite://$tmp/slayer.db
rules:
  - {name: run-in-10m, match: {dag_id: "demo_*"}, reference: dagrun.queued_at, interval: 10m}
  - {name: load-in-5m, match: {dag_id: demo_events_10min}, tasks: [load],
     reference: dagrun.queued_at, interval: 5m}
YML
export E2E_AIRFLOW_DB=$airflow_db
run() { "$slayer" --config.file "$tmp/slayer.yml" "$@"; }
summary_field() {  # summary_field TEXT NAME -> the number before NAME in the summary line
  sed -nE "s/.* ([0-9]+) $2.*/\1/p" <<<"$1" | head -1
}

# 1. The first backfill records the history, with log-line progress.
out=$(run backfill --since 3d --progress log 2>"$tmp/backfill1.log") ||
  die "slayer backfill failed: $out"
echo "$out"
grep -q 'msg="backfill progress".*dags_done=0' "$tmp/backfill1.log" ||
  die "no progress line at the start"
grep -q 'msg="backfill progress".*dags_done=5 dags_total=5' "$tmp/backfill1.log" ||
  die "no progress line at the end"
outcomes=$(summary_field "$out" outcomes)
written=$(summary_field "$out" "new to the store")
[[ -n "$outcomes" && "$outcomes" -gt 100 ]] || die "too few outcomes: '$outcomes'"
[[ "$written" == "$outcomes" ]] || die "first run: $written written of $outcomes"

# 2. Idempotent: again, and from scratch, nothing new.
out=$(run backfill --since 3d --progress bar 2>"$tmp/backfill2.log") || die "second run failed"
[[ "$(summary_field "$out" "new to the store")" == 0 ]] || die "second run wrote: $out"
grep -q '\[##############################\] 5/5 DAGs' "$tmp/backfill2.log" ||
  die "no progress bar with --progress bar: $(cat "$tmp/backfill2.log")"
out=$(run backfill --since 3d --restart 2>/dev/null) || die "--restart failed"
[[ "$(summary_field "$out" "new to the store")" == 0 ]] || die "--restart wrote: $out"
[[ "$(summary_field "$out" outcomes)" == "$outcomes" ]] || die "--restart evaluated: $out"

# 3. Bad input: exit 2 with the flag named.
err=$(run backfill --since yesterday 2>&1 >/dev/null); rc=$?
[[ $rc -eq 2 && "$err" == *"--since"* ]] || die "bad --since: rc=$rc '$err'"
err=$(run backfill --instance nope 2>&1 >/dev/null); rc=$?
[[ $rc -eq 2 && "$err" == *"nope"* ]] || die "unknown --instance: rc=$rc '$err'"

# 4. The report and the API agree on the backfilled history; serve's first-start backfill
# finds nothing new.
run report --since 3d --format json >"$tmp/cli.json" || die "slayer report failed"
port=$(free_port)
run --web.listen-address "127.0.0.1:$port" >"$tmp/slayer.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  grep -q 'msg="backfill done"' "$tmp/slayer.log" && break
  sleep 0.2
done
grep -q 'msg="backfill done".*items_written=0' "$tmp/slayer.log" ||
  die "serve's first-start backfill: $(grep backfill "$tmp/slayer.log")"
curl -sf "http://127.0.0.1:$port/api/v1/report?since=3d" >"$tmp/api.json" || die "GET /api/v1/report failed"
/usr/bin/python3 - "$tmp/cli.json" "$tmp/api.json" "$outcomes" <<'PY' || die "the report and the API disagree"
import json, sys
cli, api = (json.load(open(p)) for p in sys.argv[1:3])
outcomes = int(sys.argv[3])
assert cli["groups"] == api["groups"], (cli["groups"], api["groups"])
counted = sum(g["met"] + g["met_late"] + g["missed"] + g["abandoned"] for g in cli["groups"])
assert counted == outcomes, (counted, outcomes)
assert any(g["met_late"] > 0 for g in cli["groups"]), "no late runs in the history"
print(f"report == API: {len(cli['groups'])} DAGs, {counted} outcomes")
PY
echo "1 passed, 0 failed"
