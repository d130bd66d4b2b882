#!/bin/sh
# Usage: promtool_check.sh FILE...
# Runs `promtool check metrics` on each exposition FILE. Passes only when promtool exits 0 and
# prints nothing for every file (it prints one line per lint problem). Fails, like the other
# integration tests, when promtool is missing (scripts/install-deps.sh installs the Debian
# package prometheus). $PROMTOOL overrides the binary.
set -u
promtool=${PROMTOOL:-promtool}
if ! command -v "$promtool" >/dev/null 2>&1; then
  echo "promtool not found: run scripts/install-deps.sh test (package prometheus)" >&2
  exit 2
fi
if [ $# -eq 0 ]; then
  echo "usage: $0 FILE..." >&2
  exit 2
fi
status=0
for file in "$@"; do
  output=$("$promtool" check metrics <"$file" 2>&1)
  rc=$?
  if [ "$rc" -ne 0 ] || [ -n "$output" ]; then
    echo "FAIL $file: promtool exited $rc"
    [ -n "$output" ] && printf '%s\n' "$output"
    status=1
  else
    echo "ok   $file"
  fi
done
exit $status
