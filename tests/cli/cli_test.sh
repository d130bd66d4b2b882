#!/usr/bin/env bash
# End-to-end checks of the `slayer` command line as a user meets it: exit codes, one-line errors
# without secrets, `scan` on a database written by slayer-sim, and `report` without a store.
# Usage: cli_test.sh SLAYER SLAYER_SIM DEMO_DAGS
set -uo pipefail
slayer=$1 sim=$2 dags=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect_rc WANT DESCRIPTION -- command...
expect_rc() {
  local want=$1 what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [[ $rc -eq $want ]] || fail "$what: exit $rc, want $want; stderr: $(cat "$tmp/err")"
}

# --help teaches; --version answers.
expect_rc 0 "help" -- "$slayer" --help
grep -q "Examples:" "$tmp/out" || fail "--help has no examples"
grep -q -- "--web.listen-address" "$tmp/out" || fail "--help lacks --web.listen-address"
expect_rc 0 "version" -- "$slayer" --version
grep -q "^slayer " "$tmp/out" || fail "--version prints '$(cat "$tmp/out")'"
expect_rc 2 "unknown flag" -- "$slayer" --no-such-flag

# check-config: 0 and the rules as understood; 1 with file:line:col.
cat >"$tmp/good.yml" <<YML
airflow:
  - name: prod
    database: postgresql://airflow:Sup3rSecret@127.0.0.1:1/airflow
rules:
  - name: hourly
    match: {dag_id: "events_*"}
    reference: dagrun.logical_date
    interval: 2h
YML
expect_rc 0 "check-config good" -- "$slayer" check-config --config.file "$tmp/good.yml"
grep -q "hourly" "$tmp/out" || fail "check-config does not describe rule hourly"
grep -q "Sup3rSecret" "$tmp/out" "$tmp/err" && fail "check-config printed the password"
printf 'airflow:\n  - name: prod\n    databse: x\n' >"$tmp/bad.yml"
expect_rc 1 "check-config bad" -- "$slayer" check-config --config.file "$tmp/bad.yml"
grep -q "bad.yml:3:5: " "$tmp/err" || fail "check-config error lacks file:line:col: $(cat "$tmp/err")"
expect_rc 1 "check-config missing file" -- "$slayer" check-config --config.file "$tmp/nope.yml"

# scan: 2 on an unreachable database (connection refused on port 1), one line, no password.
expect_rc 2 "scan unreachable" -- timeout 30 "$slayer" scan --config.file "$tmp/good.yml"
grep -q "Sup3rSecret" "$tmp/out" "$tmp/err" && fail "scan printed the password"
grep -q "prod" "$tmp/err" || fail "scan error does not name the instance: $(cat "$tmp/err")"
# scan: 2 on a file that is not an Airflow database.
sqlite3 "$tmp/notairflow.db" "CREATE TABLE t (x INTEGER);"
printf 'airflow:\n  - name: x\n    database: sqlite://%s\n' "$tmp/notairflow.db" >"$tmp/notairflow.yml"
expect_rc 2 "scan not airflow" -- "$slayer" scan --config.file "$tmp/notairflow.yml"
grep -q "alembic_version" "$tmp/err" || fail "not-Airflow error unclear: $(cat "$tmp/err")"

# scan on a simulated Airflow 2 database: 0 or 1 with a JSON document of the documented shape.
"$sim" --database "sqlite://$tmp/airflow.db" --airflow 2 --dags "$dags" --init \
  --history 6h >"$tmp/sim.log" 2>&1 || fail "slayer-sim failed: $(tail -3 "$tmp/sim.log")"
printf 'airflow:\n  - name: demo\n    database: sqlite://%s\n' "$tmp/airflow.db" >"$tmp/demo.yml"
"$slayer" scan --config.file "$tmp/demo.yml" --format json >"$tmp/scan.json" 2>"$tmp/err"
rc=$?
[[ $rc -eq 0 || $rc -eq 1 ]] || fail "scan on the simulator: exit $rc: $(cat "$tmp/err")"
python3 - "$tmp/scan.json" "$rc" <<'PY' || fail "scan JSON: see above"
import json, sys
doc = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
inst = doc["instances"]
assert inst == [{"name": "demo", "airflow_version": "2.10.3", "alembic_revision": "5f2621c13b39",
                 "db_up": True}], inst
keys = {"airflow_instance", "rule", "dag_id", "run_id", "task_id", "need_by", "overdue_seconds",
        "state"}
for v in doc["violations"]:
    assert set(v) == keys, v
    assert v["need_by"].endswith("Z"), v
assert (rc == 1) == bool(doc["violations"]), (rc, doc["violations"])
PY

# The deadline engine from the command line: rules on the same simulated database.
cat >"$tmp/rules.yml" <<YML
airflow:
  - name: demo
    database: sqlite://$tmp/airflow.db
storage: sqlite://$tmp/slayer.db
rules:
  - name: runs-in-1m
    match: {dag_id: demo_events_10min}
    reference: dagrun.logical_date
    interval: 1m
  - name: at-9
    match: {dag_id: demo_hourly_report}
    at: {cron: "0 9 * * MON-FRI", timezone: Europe/Berlin}
  - name: paused-every-minute
    match: {dag_id: demo_paused}
    at: {cron: "* * * * *", timezone: UTC}
YML
expect_rc 0 "check-config with rules" -- "$slayer" check-config --config.file "$tmp/rules.yml"
grep -q "runs-in-1m: each run: dagrun.logical_date + 1m" "$tmp/out" ||
  fail "check-config does not show the need-by formula: $(cat "$tmp/out")"
grep -qE "at-9: ticks of '0 9 \* \* MON-FRI' in Europe/Berlin: 20[0-9-]+T0[78]:00:00Z" "$tmp/out" ||
  fail "check-config does not show the next wall-clock ticks: $(cat "$tmp/out")"
# The paused DAG never succeeds: its last minute tick is an open miss (exit 1).
expect_rc 1 "scan with rules" -- "$slayer" scan --config.file "$tmp/rules.yml"
grep -qE "^demo +paused-every-minute +demo_paused " "$tmp/out" ||
  fail "scan does not list the wall-clock miss: $(cat "$tmp/out")"
expect_rc 0 "explain" -- "$slayer" explain --config.file "$tmp/rules.yml" --dag demo_events_10min
grep -q "rule runs-in-1m, run scheduled__" "$tmp/out" || fail "explain lacks the rule: $(cat "$tmp/out")"
grep -q "reference: dagrun.logical_date = " "$tmp/out" || fail "explain lacks the reference value"
grep -q "need-by: " "$tmp/out" || fail "explain lacks the need-by"
expect_rc 0 "explain json" -- "$slayer" explain --config.file "$tmp/rules.yml" --dag demo_events_10min --format json
python3 - "$tmp/out" <<'PY' || fail "explain JSON: see above"
import json, sys
doc = json.load(open(sys.argv[1]))
items = doc["instances"][0]["items"]
assert items, doc
for i in items:
    assert i["rule"] in ("runs-in-1m", "airflow:sla"), i
    assert i["state"] in ("pending", "met", "met_late", "missed", "abandoned"), i
assert any(i["rule"] == "runs-in-1m" and i["state"] == "met_late" for i in items), items
PY
expect_rc 1 "explain unknown DAG" -- "$slayer" explain --config.file "$tmp/rules.yml" --dag no_such_dag
grep -q "no DAG 'no_such_dag'" "$tmp/out" || fail "explain of an unknown DAG: $(cat "$tmp/out")"
# report: reads the store only. Without one it says so (exit 2) and creates nothing; the
# report itself is tested on a filled store by report_command_test.cc.
expect_rc 0 "report help" -- "$slayer" report --help
grep -q -- "--since" "$tmp/out" || fail "report --help lacks --since"
grep -q "Exit code" "$tmp/out" || fail "report --help lacks the exit codes"
grep -q "slayer report --group-by rule --format csv" "$tmp/out" || fail "report --help has no examples"
expect_rc 2 "report without a store" -- "$slayer" report --config.file "$tmp/rules.yml"
grep -q "^no history at $tmp/slayer.db: has \`slayer serve\` run with this storage?" "$tmp/err" ||
  fail "report without a store: $(cat "$tmp/err")"
expect_rc 2 "report bad format" -- "$slayer" report --config.file "$tmp/rules.yml" --format xml
grep -q "^--format: must be table, json or csv" "$tmp/err" || fail "report --format: $(cat "$tmp/err")"
[[ ! -e "$tmp/slayer.db" ]] || fail "scan, explain or report created the store"

echo "$((failures == 0 ? 1 : 0)) passed, $failures failed"
[[ $failures -eq 0 ]]
