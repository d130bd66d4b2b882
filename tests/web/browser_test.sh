#!/usr/bin/env bash
# The web page end to end in a real browser (docs/web.md#the-browser-test): slayer-sim writes
# three hours of history into an Airflow 2 SQLite database (DAGs that meet, miss, and never
# finish), `slayer backfill` evaluates it into the store, `slayer report --format json` prints
# it, `slayer serve` serves it, and page_test.mjs opens `/` in Debian's headless Chromium
# (playwright-core, no downloaded browser) and compares what the page shows with the JSON API
# and with the CLI report: backfill, report, API and page agree (issue 6). The simulator stops
# after the history, so the numbers hold still.
# Usage: browser_test.sh SLAYER SLAYER_SIM NODE_MODULES
set -uo pipefail
slayer=$1 sim=$2 node_modules=$3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../integration/e2e_lib.sh"
E2E_LOG_LINES=20

[[ -x /usr/bin/chromium ]] ||
  die "no /usr/bin/chromium: install Debian's chromium (scripts/install-deps.sh test)"
[[ -d "$node_modules/playwright-core" ]] ||
  die "no playwright-core in $node_modules: build with SLAYER_BUILD_TESTS=ON (npm ci with dev dependencies)"

"$sim" --database "sqlite://$tmp/airflow.db" --airflow 2 --dags "$here/browser_dags.yml" --init \
  --history 3h >"$tmp/sim.log" 2>&1 || die "slayer-sim failed"

port=$(free_port)
base="http://127.0.0.1:$port"
cat >"$tmp/slayer.yml" <<YML
airflow:
  - name: e2e
    database: sqlite://$tmp/airflow.db
    poll_interval: 1s
storage: sqlite://$tmp/slayer.db
rules:
  - name: start-plus-5s
    match: {dag_id: ["web_*", "zz_*"]}
    reference: dagrun.start_date
    interval: 5s
    severity: critical
YML
# The history comes from the backfill; the report prints what it recorded.
"$slayer" --config.file "$tmp/slayer.yml" backfill --since 1d --progress log \
  >"$tmp/backfill.out" 2>"$tmp/backfill.log" || die "slayer backfill failed"
outcomes=$(sed -nE 's/.* ([0-9]+) outcomes.*/\1/p' "$tmp/backfill.out")
[[ -n "$outcomes" && "$outcomes" -gt 0 ]] || die "the backfill recorded nothing: $(cat "$tmp/backfill.out")"
"$slayer" --config.file "$tmp/slayer.yml" report --group-by dag --since 30d --format json \
  >"$tmp/cli_report.json" || die "slayer report failed"
echo "ok: slayer backfill recorded $outcomes outcomes"

"$slayer" --config.file "$tmp/slayer.yml" --web.listen-address "127.0.0.1:$port" \
  >"$tmp/slayer.log" 2>&1 &
pids+=($!)

# Ready once the open misses of both stuck DAGs are in /api/v1/violations and the history of
# every DAG is in the store.
ready=0
for _ in $(seq 1 60); do
  if curl -sf "$base/api/v1/violations" | grep -q '"dag_id":"zz_stuck"' &&
     [[ $(curl -sf "$base/api/v1/report?group_by=dag" | grep -o '"dag_id"' | wc -l) -ge 4 ]]; then
    ready=1
    break
  fi
  sleep 0.5
done
[[ $ready -eq 1 ]] || die "no violations and history after 30 s"

# Over the wire: the page and its files, gzip and revalidation.
headers=$(curl -sf -D - -o "$tmp/page.html" -H 'Accept-Encoding: identity' "$base/") ||
  die "GET / failed"
grep -qi '^content-type: text/html; charset=utf-8' <<<"$headers" || die "GET /: $headers"
etag=$(grep -i '^etag:' <<<"$headers" | cut -d' ' -f2 | tr -d '\r')
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base/") == 304 ]] ||
  die "GET / with If-None-Match $etag is not 304"
js=$(grep -o 'static/chart\.umd\.min\.[0-9a-f]*\.js' "$tmp/page.html") || die "no chart.js link"
js_headers=$(curl -sf -D - -o "$tmp/chart.js.gz" -H 'Accept-Encoding: gzip' "$base/$js") ||
  die "GET /$js failed"
grep -qi '^content-encoding: gzip' <<<"$js_headers" || die "GET /$js is not gzipped: $js_headers"
grep -qi '^cache-control: public, max-age=31536000, immutable' <<<"$js_headers" ||
  die "GET /$js: $js_headers"
gzip -dc "$tmp/chart.js.gz" >"$tmp/chart.js" || die "GET /$js: not gzip"
grep -q 'Chart.js v4' "$tmp/chart.js" || die "GET /$js is not Chart.js"
echo "ok: the page and its files over HTTP (content type, ETag 304, gzip, cache)"

node "$here/page_test.mjs" "$base/" "$tmp" "$node_modules" "$tmp/cli_report.json" "$outcomes" 2>&1 |
  tee "$tmp/page_test.log"
status=${PIPESTATUS[0]}
# Keep the screenshots where the test ran (the build tree); $tmp is removed at exit.
cp "$tmp"/page*.png . 2>/dev/null
[[ $status -eq 0 ]] || die "page_test.mjs failed (screenshots: $(pwd)/page*.png)"
