#!/usr/bin/env bash
# Notifications end to end, with nothing lost and nothing repeated (issue 5; docs/notifications.md):
# slayer-sim runs three DAGs every minute on an Airflow 2 SQLite database, `slayer serve`
# misses each run 5 s after it starts and sees it recover, and notifies
#   - a webhook on a local receiver (tests/integration/webhook_receiver.py),
#   - a webhook whose receiver answers 400 (bad configuration),
#   - a real Alertmanager (Debian prometheus-alertmanager on 127.0.0.1, temp dir).
# Faults: the receiver goes down for 40 s (its events wait in the outbox and arrive once it is
# back), and slayer is killed with SIGKILL while a delivery is in flight, then restarted.
# Asserted: every queued event reached the receiver, each key once (the one in flight at the
# kill may arrive twice: same idempotency key); the 400 events were tried once each, counted as
# rejected and logged; signatures verify; Alertmanager showed a miss firing and then resolved.
# Usage: notify_e2e_test.sh SLAYER SLAYER_SIM DAGS_YAML
set -uo pipefail
slayer=$1 sim=$2 dags=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
source "$here/e2e_lib.sh"
E2E_LOG_LINES=15
# wait_for SECONDS CMD...: runs CMD every second until it succeeds (use `eval '...'` for a
# condition that must be re-expanded each time).
wait_for() {
  local n=$1; shift
  for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 1; done
  return 1
}

# Alertmanager.
am_port=$(free_port)
cat >"$tmp/am.yml" <<YML
route: {receiver: "null", group_wait: 1s}
receivers: [{name: "null"}]
YML
prometheus-alertmanager --config.file "$tmp/am.yml" --storage.path "$tmp/am" \
  --web.listen-address "127.0.0.1:$am_port" --cluster.listen-address= >"$tmp/alertmanager.log" 2>&1 &
pids+=($!)

# The receiver.
recv_port=$(free_port)
recv_log=$tmp/received.jsonl
delay_file=$tmp/delay
start_receiver() {
  $py "$here/webhook_receiver.py" "$recv_port" "$recv_log" "$delay_file" >>"$tmp/receiver.log" 2>&1 &
  recv_pid=$!
  pids+=($recv_pid)
  wait_for 20 curl -s -o /dev/null -X POST "http://127.0.0.1:$recv_port/ping" || die "receiver did not start"
}
start_receiver

# Airflow and slayer.
"$sim" --database "sqlite://$tmp/airflow.db" --airflow 2 --dags "$dags" --init --speed 1 \
  >"$tmp/sim.log" 2>&1 &
sim_pid=$!
pids+=($sim_pid)
slayer_port=$(free_port)
cat >"$tmp/slayer.yml" <<YML
airflow:
  - name: e2e
    database: sqlite://$tmp/airflow.db
    poll_interval: 1s
    airflow_url: http://airflow.example.com
storage: sqlite://$tmp/slayer.db
rules:
  - name: start-plus-5s
    match: {dag_id: "e2e_*"}
    reference: dagrun.start_date
    interval: 5s
    severity: critical
    notify: [hook, bad, am]
    labels: {team: e2e}
channels:
  hook: {type: webhook, url: "http://127.0.0.1:$recv_port/hook", secret: s3cret, backoff: {initial: 500ms, max: 2s}}
  bad: {type: webhook, url: "http://127.0.0.1:$recv_port/reject"}
  am: {type: alertmanager, url: "http://127.0.0.1:$am_port"}
YML
wait_for 30 test -s "$tmp/airflow.db" || die "the simulator did not create the database"
start_slayer() {
  "$slayer" --config.file "$tmp/slayer.yml" --web.listen-address "127.0.0.1:$slayer_port" \
    >>"$tmp/slayer.log" 2>&1 &
  slayer_pid=$!
  pids+=($slayer_pid)
  wait_for 30 curl -sf -o /dev/null "http://127.0.0.1:$slayer_port/-/ready" || die "slayer not ready"
}
start_slayer

count() { # count PATH_PREFIX KIND -> number of received requests
  $py - "$recv_log" "$1" "$2" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if not r["path"].startswith(sys.argv[2]):
        continue
    try:
        kind = json.loads(r["body"]).get("kind")
    except ValueError:
        continue
    if kind == sys.argv[3]:
        n += 1
print(n)
PY
}
metric() { # metric 'NAME{labels}' -> value or empty
  curl -s "http://127.0.0.1:$slayer_port/metrics" | awk -v s="$1" 'index($0, s" ") == 1 {print $2}'
}
drained() { [[ "$(metric "slayer_outbox_pending{channel=\"$1\"}")" == 0 ]]; }
hook_drained() { drained hook; }
store_sql() { sqlite3 -cmd ".timeout 5000" "$tmp/slayer.db" "$1"; }
am_alerts() { # active alerts named SlayerDeadlineMissed, as "dag_id run_id" lines
  curl -s "http://127.0.0.1:$am_port/api/v2/alerts?active=true" |
    $py -c 'import json,sys
for a in json.load(sys.stdin):
    l = a["labels"]
    if l.get("alertname") == "SlayerDeadlineMissed": print(l.get("dag_id"), l.get("run_id"))'
}

# 1. Misses and recoveries arrive; Alertmanager shows a miss firing.
wait_for 150 eval '[[ $(count /hook missed) -ge 2 ]]' || die "no missed events reached the webhook"
firing=""
for _ in $(seq 1 60); do firing=$(am_alerts | head -1); [[ -n "$firing" ]] && break; sleep 1; done
[[ -n "$firing" ]] || die "no SlayerDeadlineMissed alert became active in Alertmanager"
echo "alertmanager firing: $firing"
wait_for 90 eval '[[ $(count /hook recovered) -ge 1 ]]' || die "no recovered event reached the webhook"
# The firing alert resolves once its run has recovered.
wait_for 120 bash -c "! curl -s 'http://127.0.0.1:$am_port/api/v2/alerts?active=true' | grep -q '\"run_id\":\"${firing#* }\"'" ||
  die "the alert of $firing did not resolve in Alertmanager"
echo "alertmanager resolved: $firing"

# 2. A receiver answering 400 is tried once per event, counted and logged.
wait_for 30 eval '[[ $(metric "slayer_notifications_total{channel=\"bad\",kind=\"missed\",outcome=\"rejected\"}") -ge 1 ]]' ||
  die "rejected notifications were not counted"
grep -q 'notification rejected' "$tmp/slayer.log" || die "rejected notifications were not logged"

# 3. The receiver goes down for 40 s: events wait in the outbox, then all arrive.
kill "$recv_pid"; wait "$recv_pid" 2>/dev/null
sleep 40
pending=$(metric 'slayer_outbox_pending{channel="hook"}')
failed=$(curl -s "http://127.0.0.1:$slayer_port/metrics" |
  awk '/^slayer_notifications_total\{channel="hook",/ && /outcome="failed"/ {n += $2} END {print n + 0}')
[[ "${pending:-0}" -ge 1 ]] || die "nothing waited in the outbox while the receiver was down (pending=$pending)"
[[ "${failed:-0}" -ge 1 ]] || die "no failed attempts counted while the receiver was down"
echo "receiver down: $pending pending, $failed failed attempts"
start_receiver
wait_for 60 eval 'hook_drained' || die "the backlog was not delivered"

# 4. SIGKILL while a delivery is in flight, then restart.
echo 4 >"$delay_file"
before=$(wc -l <"$recv_log")
wait_for 120 eval '[[ $(wc -l <"$recv_log") -gt $before ]]' || die "no delivery to interrupt"
sleep 0.5
kill -9 "$slayer_pid"; wait "$slayer_pid" 2>/dev/null
inflight=$(tail -n +"$((before + 1))" "$recv_log" | $py -c 'import json,sys; print(" ".join(json.loads(l)["key"] for l in sys.stdin))')
echo "killed slayer with in flight: $inflight"
rm -f "$delay_file"
sleep 2
start_slayer
wait_for 60 eval 'hook_drained' || die "delivery did not resume after the restart"

# Freeze Airflow (stop the simulator) so that no new events come, and let both channels settle.
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null
sleep 8
wait_for 60 eval 'drained hook && drained bad' || die "delivery did not settle"

# 5. Exactly once: the outbox and the receiver agree.
store_sql "SELECT event_key || ' ' || status FROM outbox WHERE channel = 'hook' ORDER BY id" >"$tmp/outbox_hook.txt"
store_sql "SELECT event_key || ' ' || status FROM outbox WHERE channel = 'bad' ORDER BY id" >"$tmp/outbox_bad.txt"
$py - "$recv_log" "$tmp/outbox_hook.txt" "$tmp/outbox_bad.txt" "$inflight" <<'PY' || die "exactly-once check failed"
import collections, hashlib, hmac, json, sys
log, hook_file, bad_file, inflight = sys.argv[1], sys.argv[2], sys.argv[3], set(sys.argv[4].split())
received = [json.loads(l) for l in open(log)]
hook = collections.Counter(r["key"] for r in received if r["path"] == "/hook")
bad = collections.Counter(r["key"] for r in received if r["path"] == "/reject")
def rows(path):
    out = {}
    for line in open(path):
        key, status = line.rsplit(" ", 1)
        out[key] = status.strip()
    return out
hook_rows, bad_rows = rows(hook_file), rows(bad_file)
errors = []
# Every queued event was delivered; none pending, rejected or dropped.
not_delivered = {k: s for k, s in hook_rows.items() if s != "delivered"}
if not_delivered: errors.append("hook events not delivered: %s" % not_delivered)
if set(hook) != set(hook_rows):
    errors.append("receiver and outbox disagree: only received %s, only queued %s"
                  % (set(hook) - set(hook_rows), set(hook_rows) - set(hook)))
twice = {k: n for k, n in hook.items() if n > 1 and k not in inflight}
if twice: errors.append("received more than once: %s" % twice)
if any(n > 2 for n in hook.values()): errors.append("an in-flight event arrived more than twice")
# 400: tried once each, never retried (one in flight at the kill was never answered: again).
if any(n != 1 and not (n == 2 and k in inflight) for k, n in bad.items()):
    errors.append("a rejected event was retried: %s" % bad)
if any(s != "rejected" for s in bad_rows.values()): errors.append("bad channel rows: %s" % bad_rows)
if set(bad) != set(bad_rows): errors.append("bad channel: received and queued differ")
# Each missed item has one recovered event at most, and kinds are right.
kinds = collections.Counter(k.rsplit("#", 1)[1] for k in hook_rows)
if kinds["missed"] < 3 or kinds["recovered"] < 2: errors.append("too few events: %s" % kinds)
# Signatures verify.
for r in received:
    if r["path"] != "/hook": continue
    want = "sha256=" + hmac.new(b"s3cret", r["body"].encode(), hashlib.sha256).hexdigest()
    if r["headers"].get("X-Slayer-Signature") != want:
        errors.append("bad signature on %s" % r["key"]); break
print("hook: %d events (%s), %d requests; bad: %d events" % (len(hook_rows), dict(kinds), sum(hook.values()), len(bad_rows)))
if errors:
    print("\n".join(errors)); sys.exit(1)
PY
echo "1 passed, 0 failed"
