# Shared set-up of the end-to-end test scripts (source it): a temp dir `$tmp` removed at exit,
# `pids` (every process started, killed at exit), `die MESSAGE` (prints the tail of every
# $tmp/*.log and fails), `free_port` (a free TCP port on 127.0.0.1).
tmp=$(mktemp -d)
pids=()
e2e_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap e2e_cleanup EXIT
die() {
  echo "FAIL: $*"
  for f in "$tmp"/*.log; do echo "--- $f"; tail -"${E2E_LOG_LINES:-5}" "$f"; done
  echo "0 passed, 1 failed"
  exit 1
}
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
