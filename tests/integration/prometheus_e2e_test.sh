#!/usr/bin/env bash
# End to end with real components: slayer-sim drives an Airflow 2 database on the test
# PostgreSQL server, `slayer serve` watches it, and a real Prometheus (Debian package, on
# 127.0.0.1, temp dir) scrapes SLAyer. Asserted through Prometheus's HTTP API: airflow_sla_misses
# series appear when tasks are late and disappear when they finish; slayer_db_up is 1.
# Usage: prometheus_e2e_test.sh SLAYER SLAYER_SIM DAGS_YAML SERVERS_DIR
set -uo pipefail
slayer=$1 sim=$2 dags=$3 servers=$4
source "$(dirname "$0")/e2e_lib.sh"

admin=$(cat "$servers/postgres.dsn") || die "no PostgreSQL test server in $servers"
psql -q "$admin" -c "DROP DATABASE IF EXISTS slayer_e2e" -c "CREATE DATABASE slayer_e2e" \
  >/dev/null || die "cannot create the database"
airflow_db=${admin%/*}/slayer_e2e

# Airflow 2 at 30x: an hour of history, then live.
"$sim" --database "$airflow_db" --airflow 2 --dags "$dags" --init --history 1h --speed 30 \
  >"$tmp/sim.log" 2>&1 &
pids+=($!)

slayer_port=$(free_port)
cat >"$tmp/slayer.yml" <<YML
airflow:
  - name: e2e
    database: \${E2E_AIRFLOW_DB}
    poll_interval: 1s
storage: sqlite://$tmp/slayer.db
YML
for _ in $(seq 1 100); do grep -q "history written\|live" "$tmp/sim.log" && break; sleep 0.2; done
E2E_AIRFLOW_DB=$airflow_db "$slayer" --config.file "$tmp/slayer.yml" \
  --web.listen-address "127.0.0.1:$slayer_port" >"$tmp/slayer.log" 2>&1 &
pids+=($!)

prom_port=$(free_port)
cat >"$tmp/prometheus.yml" <<YML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: slayer
    static_configs: [{targets: ["127.0.0.1:$slayer_port"]}]
YML
prometheus --config.file "$tmp/prometheus.yml" --storage.tsdb.path "$tmp/tsdb" \
  --web.listen-address "127.0.0.1:$prom_port" >"$tmp/prometheus.log" 2>&1 &
pids+=($!)

# query EXPR -> prints the JSON result array
query() {
  curl -s --max-time 5 "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["data"]["result"]))' 2>/dev/null
}

# 1. Prometheus scrapes SLAyer and SLAyer reads the database.
ok=0
for _ in $(seq 1 60); do
  [[ "$(query 'slayer_db_up{airflow_instance="e2e"} == 1')" == *'"value"'* ]] && { ok=1; break; }
  sleep 1
done
[[ $ok -eq 1 ]] || die "slayer_db_up never reached 1 in Prometheus"

# 2. A late task shows up as an airflow_sla_misses series.
series=""
for _ in $(seq 1 180); do
  result=$(query 'airflow_sla_misses')
  if [[ "$result" == *'"dag_id"'* ]]; then
    series=$(python3 -c 'import json,sys; m=json.loads(sys.argv[1])[0]["metric"]; print("airflow_sla_misses{dag_id=\"%s\",task_id=\"%s\",execution_date=\"%s\"}" % (m["dag_id"], m["task_id"], m["execution_date"]))' "$result")
    break
  fi
  sleep 1
done
[[ -n "$series" ]] || die "no airflow_sla_misses series appeared in Prometheus within 180 s"
echo "appeared: $series"

# 3. It disappears once the task finishes (the series is gone from SLAyer's exposition, so its
# last sample in Prometheus is older than a few scrapes).
gone=0
for _ in $(seq 1 240); do
  [[ "$(query "$series")" == "[]" ]] && { gone=1; break; }
  sleep 1
done
[[ $gone -eq 1 ]] || die "$series did not disappear within 240 s"
echo "disappeared: $series"

# The exposition Prometheus scraped is clean for promtool too.
curl -s "http://127.0.0.1:$slayer_port/metrics" | promtool check metrics >"$tmp/promtool.log" 2>&1 ||
  die "promtool check metrics: $(cat "$tmp/promtool.log")"
echo "1 passed, 0 failed"
