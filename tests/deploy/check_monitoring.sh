#!/usr/bin/env bash
# Checks the Prometheus rules and the Grafana dashboard (docs/monitoring.md):
#   - deploy/prometheus/slayer-rules.yml passes `promtool check rules`;
#   - its unit tests, deploy/prometheus/slayer-rules.test.yml, pass `promtool test rules`;
#   - check_monitoring.py: every PromQL expression of the rules and of
#     deploy/grafana/slayer-dashboard.json uses only metrics, labels and label values the code
#     exports, reads counters and histograms with rate()/increase() and gauges without; the
#     dashboard's expressions parse (promtool) and its structure is sound; every alert is tested
#     firing and silent and documented in docs/monitoring.md.
# Usage: tests/deploy/check_monitoring.sh      (CTest: deploy.monitoring; needs promtool and
# python3-yaml: scripts/install-deps.sh test). Exits 1 after listing every failed check.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
rules=$root/deploy/prometheus/slayer-rules.yml
rule_tests=$root/deploy/prometheus/slayer-rules.test.yml

failures=0
fail() {
  echo "check_monitoring: FAIL: $*" >&2
  failures=$((failures + 1))
}
pass() { echo "check_monitoring: ok: $*"; }

for tool in python3 promtool; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh test installs it)"
done
python3 -c 'import yaml' 2>/dev/null ||
  fail "python3 cannot import yaml: install python3-yaml (scripts/install-deps.sh test)"
if [[ $failures -gt 0 ]]; then
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if out=$(promtool check rules "$rules" 2>&1); then
  pass "promtool check rules deploy/prometheus/slayer-rules.yml: $(grep -o '[0-9]* rules found' <<<"$out")"
else
  fail "promtool check rules deploy/prometheus/slayer-rules.yml: $out"
fi

# promtool resolves the test file's rule_files relative to the test file.
if out=$(promtool test rules "$rule_tests" 2>&1); then
  pass "promtool test rules deploy/prometheus/slayer-rules.test.yml"
else
  fail "promtool test rules deploy/prometheus/slayer-rules.test.yml: $out"
fi

python3 "$here/check_monitoring.py" "$root" "$work" || failures=$((failures + 1))

if [[ $failures -gt 0 ]]; then
  echo "check_monitoring: $failures check(s) failed" >&2
  exit 1
fi
echo "check_monitoring: all checks passed"
