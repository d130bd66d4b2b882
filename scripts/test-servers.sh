#!/usr/bin/env bash
# Starts and stops the real database servers that the integration tests and benchmarks use: a
# PostgreSQL 15 and a MariaDB, each private to DIR, bound to 127.0.0.1 on a free port. The
# packages' own system services are never used (see scripts/install-deps.sh).
#
# Usage: scripts/test-servers.sh start DIR   start both (a no-op for a server already running)
#        scripts/test-servers.sh stop DIR    stop both, by the PIDs this script recorded
#
# After start, DIR holds:
#   postgres.dsn  postgresql://slayer:slayer@127.0.0.1:PORT/postgres  (role slayer, superuser)
#   mariadb.dsn   mysql://slayer:slayer@127.0.0.1:PORT/mysql          (user slayer, all privileges)
#   postgres.pid, mariadb.pid      the server PIDs
#   postgres/, mariadb/            data, server.log
# Safe as root (CI): PostgreSQL then runs as the postgres user, MariaDB as --user=root.
set -euo pipefail

readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly START_TIMEOUT=60  # seconds until a server must accept connections
readonly STOP_TIMEOUT=20   # seconds until a server that ignores the shutdown signal is killed

die() {
  echo "test-servers: $*" >&2
  exit 1
}
log() { echo "test-servers: $*" >&2; }

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
action=$1
[[ "$action" == start || "$action" == stop ]] || usage
mkdir -p "$2"
DIR=$(cd "$2" && pwd -P)

is_root() { [[ $(id -u) -eq 0 ]]; }

# True when the PID in file $1 names a live process whose command line contains $2, so a
# recycled PID of an unrelated process is never taken for our server.
pid_alive() {
  local file=$1 name=$2 pid
  [[ -s "$file" ]] || return 1
  pid=$(head -n1 "$file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$name"
}

# A TCP port on 127.0.0.1 that nobody listens on now.
free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

log_tail() {
  local file=$1
  echo "---- last lines of $file ----" >&2
  tail -n 30 "$file" >&2 2>/dev/null || echo "(no log)" >&2
  echo "----" >&2
}

# ---------------------------------------------------------------- PostgreSQL

# Runs a command as the PostgreSQL server user: postgres refuses to run as root.
as_pg() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_postgres() {
  local base=$DIR/postgres data=$DIR/postgres/data logf=$DIR/postgres/server.log
  if pid_alive "$DIR/postgres.pid" postgres; then
    log "postgresql already running (pid $(cat "$DIR/postgres.pid")), $(cat "$DIR/postgres.dsn")"
    return 0
  fi
  [[ -x $PG_BIN/postgres ]] || die "$PG_BIN/postgres not found: run scripts/install-deps.sh"
  mkdir -p "$base"
  if is_root; then
    chown -R postgres: "$base"
    as_pg test -x "$base" ||
      die "the postgres user cannot reach $base: make its parent directories world-searchable (chmod o+x) or choose another DIR"
  fi

  if [[ ! -s "$data/PG_VERSION" ]]; then
    rm -rf "$data"
    local pwfile=$base/pwfile
    echo slayer >"$pwfile"
    is_root && chown postgres: "$pwfile"
    # The bootstrap superuser is `slayer` itself; TCP logins need its password.
    as_pg "$PG_BIN/initdb" -D "$data" -U slayer --pwfile="$pwfile" --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 ||
      { log_tail "$base/initdb.log"; die "initdb failed in $data"; }
    rm -f "$pwfile"
    # Test tuning: durability off (a crash loses a throwaway test database, nothing else).
    # No Unix socket, so a long DIR cannot exceed the socket path limit; TCP only.
    # dynamic_shared_memory_type=mmap: containers often have a tiny /dev/shm.
    cat >>"$data/postgresql.conf" <<'EOF'

# ---- scripts/test-servers.sh ----
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 100
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
dynamic_shared_memory_type = mmap
shared_preload_libraries = 'pg_stat_statements'
logging_collector = off
log_min_messages = warning
EOF
  fi

  local port
  port=$(free_port)
  rm -f "$DIR/postgres.pid"
  : >"$logf"
  is_root && chown postgres: "$logf"
  # pg_ctl daemonizes the postmaster with its output in the log and stdin from /dev/null, so
  # nothing holds our (or ctest's) stdout open. -W: we wait ourselves, with pg_isready.
  as_pg "$PG_BIN/pg_ctl" start -W -D "$data" -l "$logf" -o "-p $port" >/dev/null 2>&1 ||
    { log_tail "$logf"; die "pg_ctl could not start postgresql in $data"; }

  local deadline=$((SECONDS + START_TIMEOUT)) pid=""
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -t 2; do
    if ((SECONDS >= deadline)); then
      log_tail "$logf"
      die "postgresql did not accept connections on 127.0.0.1:$port within ${START_TIMEOUT}s"
    fi
    if [[ -s "$data/postmaster.pid" ]]; then
      pid=$(head -n1 "$data/postmaster.pid")
      kill -0 "$pid" 2>/dev/null || { log_tail "$logf"; die "postgresql exited during startup"; }
    fi
    sleep 0.2
  done
  pid=$(head -n1 "$data/postmaster.pid")
  echo "$pid" >"$DIR/postgres.pid"

  # For benchmarks: the pg_stat_statements view (the library is preloaded above).
  PGPASSWORD=slayer "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U slayer -d postgres \
    -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' \
    -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >/dev/null ||
    die "cannot log in to postgresql on 127.0.0.1:$port as slayer"
  echo "postgresql://slayer:slayer@127.0.0.1:$port/postgres" >"$DIR/postgres.dsn"
  log "postgresql started (pid $pid), $(cat "$DIR/postgres.dsn")"
}

# ---------------------------------------------------------------- MariaDB

# A Unix socket path must fit in sun_path (108 bytes): use DIR when short enough, else /tmp.
mariadb_socket() {
  local sock=$DIR/mariadb/mysqld.sock
  if ((${#sock} > 100)); then
    sock=/tmp/slayer-mariadb-$(echo -n "$DIR" | md5sum | cut -c1-12).sock
  fi
  echo "$sock"
}

start_mariadb() {
  local base=$DIR/mariadb data=$DIR/mariadb/data logf=$DIR/mariadb/server.log
  if pid_alive "$DIR/mariadb.pid" mariadbd; then
    log "mariadb already running (pid $(cat "$DIR/mariadb.pid")), $(cat "$DIR/mariadb.dsn")"
    return 0
  fi
  command -v mariadbd >/dev/null || [[ -x /usr/sbin/mariadbd ]] ||
    die "mariadbd not found: run scripts/install-deps.sh"
  local mariadbd=/usr/sbin/mariadbd
  [[ -x $mariadbd ]] || mariadbd=$(command -v mariadbd)
  mkdir -p "$base"
  local user_opt=()
  is_root && user_opt=(--user=root)

  if [[ ! -d "$data/mysql" ]]; then
    rm -rf "$data"
    # --no-defaults: /etc/mysql/* (system datadir, syslog) must not leak in.
    mariadb-install-db --no-defaults "${user_opt[@]}" --datadir="$data" \
      --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
      >"$base/install-db.log" 2>&1 ||
      { log_tail "$base/install-db.log"; die "mariadb-install-db failed in $data"; }
  fi
  # Runs at every start before the server accepts connections; idempotent.
  cat >"$base/init.sql" <<'EOF'
CREATE USER IF NOT EXISTS 'slayer'@'%' IDENTIFIED BY 'slayer';
CREATE USER IF NOT EXISTS 'slayer'@'localhost' IDENTIFIED BY 'slayer';
GRANT ALL PRIVILEGES ON *.* TO 'slayer'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'slayer'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
EOF

  local port sock pidf=$base/mariadbd.pid
  port=$(free_port)
  sock=$(mariadb_socket)
  rm -f "$DIR/mariadb.pid" "$pidf"
  : >"$logf"
  # setsid: the server outlives this script and ctest's process group; all output goes to the
  # log so nothing holds the caller's stdout open.
  setsid "$mariadbd" --no-defaults "${user_opt[@]}" --datadir="$data" --socket="$sock" \
    --pid-file="$pidf" --port="$port" --bind-address=127.0.0.1 --skip-networking=0 \
    --skip-name-resolve --log-error="$logf" --init-file="$base/init.sql" --skip-log-bin \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --innodb-buffer-pool-size=128M --innodb-log-file-size=64M \
    --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 --max-connections=200 \
    --max-allowed-packet=64M --tmpdir="$base" \
    </dev/null >>"$logf" 2>&1 &
  local launched=$!

  local deadline=$((SECONDS + START_TIMEOUT))
  until mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$port" -u slayer -pslayer \
    --connect-timeout=2 -e 'SELECT 1' mysql >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log_tail "$logf"
      die "mariadb did not accept connections on 127.0.0.1:$port within ${START_TIMEOUT}s"
    fi
    kill -0 "$launched" 2>/dev/null || { log_tail "$logf"; die "mariadbd exited during startup"; }
    sleep 0.2
  done
  local pid=$launched
  [[ -s "$pidf" ]] && pid=$(head -n1 "$pidf")
  echo "$pid" >"$DIR/mariadb.pid"
  echo "mysql://slayer:slayer@127.0.0.1:$port/mysql" >"$DIR/mariadb.dsn"
  log "mariadb started (pid $pid), $(cat "$DIR/mariadb.dsn")"
}

# ---------------------------------------------------------------- stop

# Stops the server whose PID file is $1 (command line containing $2) with signal $3, then
# SIGKILL after STOP_TIMEOUT seconds. Touches no other process.
stop_server() {
  local file=$1 name=$2 sig=$3 pid
  if ! pid_alive "$file" "$name"; then
    rm -f "$file"
    return 0
  fi
  pid=$(head -n1 "$file")
  kill "-$sig" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "$name (pid $pid) did not stop within ${STOP_TIMEOUT}s: killing it"
      # The server's own children first (PostgreSQL backends would outlive their postmaster).
      pkill -KILL -P "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  rm -f "$file"
  log "$name (pid $pid) stopped"
}

case "$action" in
  start)
    start_postgres
    start_mariadb
    ;;
  stop)
    # PostgreSQL: SIGINT is its "fast" shutdown (SIGTERM would wait for every client to leave).
    stop_server "$DIR/postgres.pid" postgres INT
    stop_server "$DIR/mariadb.pid" mariadbd TERM
    ;;
esac
