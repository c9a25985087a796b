#!/usr/bin/env bash
# What `make test` needs from the machine, so that a fresh one needs nothing done by hand.
# scripts/test.sh sources this file and calls:
#
#   ensure_test_programs  PostgreSQL's server programs, redis-server, /usr/bin/chromium, nginx,
#                         openssl, node and npm: installs the missing ones with apt-get on Debian
#                         or Ubuntu as root; anywhere else names their packages and fails.
#   start_test_services   PostgreSQL on 127.0.0.1:$ROUNDS_TEST_PG_PORT (5432) and Redis on
#                         127.0.0.1:$ROUNDS_TEST_REDIS_PORT (6379): uses the one running there,
#                         else starts a private one on that port under var/test-services/ and
#                         stops it when the run ends. Exports ROUNDS_TEST_PG_DSN and
#                         ROUNDS_TEST_REDIS_URL for the tests (a value you set is used as given).
#
# Run by itself (`scripts/test_setup.sh`) it only checks, and installs, the programs.

test_services_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/var/test-services"
private_postgres=""       # the private PostgreSQL's folder, while one runs
private_redis_pidfile=""  # the private Redis's pid file, while one runs
as_postgres=()            # how PostgreSQL's programs are run: as root, as the user postgres

setup_say() { echo "test set-up: $*"; }

# A service counts as running when its port takes a TCP connection, whoever started it.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Debian keeps initdb and pg_ctl out of PATH, one folder per major version: take the newest.
# Other systems put them on PATH.
postgres_bindir() {
  local initdb dir
  if initdb="$(command -v initdb)" && [ -x "$(dirname "$initdb")/pg_ctl" ]; then
    dirname "$initdb"
    return 0
  fi
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# One line per missing program: "<Debian package>|<what is missing, and what for>".
missing_test_programs() {
  postgres_bindir >/dev/null || echo "postgresql|PostgreSQL's server programs (initdb, pg_ctl)"
  command -v redis-server >/dev/null || echo "redis-server|redis-server"
  # The browser tests drive Debian's Chromium at this very path (Playwright's download fails).
  [ -x /usr/bin/chromium ] || echo "chromium|/usr/bin/chromium"
  command -v nginx >/dev/null || echo "nginx-light|nginx (production-mode tests)"
  command -v openssl >/dev/null || echo "openssl|openssl (the production tests' certificates)"
  command -v node >/dev/null || echo "nodejs|node (the JavaScript checks)"
  command -v npm >/dev/null || echo "npm|npm (the JavaScript checks)"
}

# Installing is only done where the package names above are right and apt-get may run.
can_apt_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -r /etc/os-release ] || return 1
  (
    . /etc/os-release
    case " ${ID:-} ${ID_LIKE:-} " in
      *" debian "* | *" ubuntu "*) exit 0 ;;
      *) exit 1 ;;
    esac
  )
}

list_missing() {
  local package what
  while IFS='|' read -r package what; do printf '  %-13s %s\n' "$package:" "$what"; done <<<"$1"
}

ensure_test_programs() {
  local missing package what packages=() why
  missing="$(missing_test_programs)"
  [ -z "$missing" ] && return 0
  while IFS='|' read -r package what; do packages+=("$package"); done <<<"$missing"
  if can_apt_install; then
    setup_say "missing (Debian package: what it gives):"
    list_missing "$missing"
    setup_say "installing with apt-get: ${packages[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${packages[@]}" || return 1
    missing="$(missing_test_programs)"
    [ -z "$missing" ] && return 0
    setup_say "still missing after apt-get install:"
    list_missing "$missing"
    return 1
  fi
  why="this is not Debian or Ubuntu"
  [ "$(id -u)" = 0 ] || why="not running as root"
  setup_say "missing (Debian package: what it gives):"
  list_missing "$missing"
  setup_say "not installing them: $why. Install them and run make test again; on Debian:"
  echo "  apt-get install -y --no-install-recommends ${packages[*]}"
  return 1
}

start_test_services() {
  # Whatever ends the run (the last test, a failure, Ctrl-C), private servers stop with it.
  trap stop_test_services EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  mkdir -p "$test_services_dir"
  start_test_postgres
  start_test_redis
}

start_test_postgres() {
  local port="${ROUNDS_TEST_PG_PORT:-5432}"
  if [ -n "${ROUNDS_TEST_PG_DSN:-}" ]; then
    setup_say "PostgreSQL: ROUNDS_TEST_PG_DSN as given"
    return 0
  fi
  stop_leftover_postgres "$port"
  if listening "$port"; then
    setup_say "PostgreSQL: the one running on 127.0.0.1:$port"
    export ROUNDS_TEST_PG_DSN="host=127.0.0.1 port=$port user=postgres password=postgres dbname=test"
    make_test_database "$port"
  else
    start_private_postgres "$port"
  fi
}

# PostgreSQL will not run as root: as root its programs run as the user its package made.
use_postgres_user() {
  as_postgres=()
  [ "$(id -u)" = 0 ] || return 0
  if ! id -u postgres >/dev/null 2>&1; then
    setup_say "PostgreSQL cannot run as root and there is no user postgres to run it as"
    return 1
  fi
  as_postgres=(runuser -u postgres --)
}

# A run killed before it could stop its private server leaves it running on its port.
stop_leftover_postgres() {
  local folder="$test_services_dir/postgresql-$1" bin
  [ -f "$folder/data/postmaster.pid" ] || return 0
  bin="$(postgres_bindir)" && use_postgres_user || return 0
  if "${as_postgres[@]}" "$bin/pg_ctl" -D "$folder/data" status >/dev/null 2>&1; then
    setup_say "stopping the private PostgreSQL an earlier run left on 127.0.0.1:$1"
    "${as_postgres[@]}" "$bin/pg_ctl" -D "$folder/data" -m immediate -w stop >/dev/null || true
  fi
}

start_private_postgres() {
  local port=$1 bin folder password
  bin="$(postgres_bindir)" && use_postgres_user || return 1
  folder="$test_services_dir/postgresql-$port"
  rm -rf "$folder"
  mkdir -p "$folder"
  if [ "${#as_postgres[@]}" -gt 0 ]; then
    chown postgres: "$folder"
    # A clone in root's home is out of the postgres user's reach: use a temporary folder.
    if ! runuser -u postgres -- test -w "$folder"; then
      rm -rf "$folder"
      folder="$(mktemp -d /tmp/rounds-test-postgresql.XXXXXX)"
      chown postgres: "$folder"
    fi
  fi
  setup_say "PostgreSQL: none on 127.0.0.1:$port, starting a private one ($folder)"
  # A password made for this run only: a password-less superuser on a shared machine would let
  # any local user run programs as the user postgres.
  password="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
  (umask 077 && echo "$password" >"$folder/password")
  [ "${#as_postgres[@]}" -eq 0 ] || chown postgres: "$folder/password"
  if ! "${as_postgres[@]}" "$bin/initdb" -D "$folder/data" -U postgres --pwfile="$folder/password" \
    --auth=scram-sha-256 --locale=C.UTF-8 -E UTF8 --no-sync >"$folder/initdb.log" 2>&1; then
    setup_say "initdb failed:"
    tail -n 20 "$folder/initdb.log"
    return 1
  fi
  rm -f "$folder/password"
  private_postgres="$folder"
  # TCP only (no Unix socket to place), and no waiting for the disk: the data is thrown away.
  if ! "${as_postgres[@]}" "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off \
        -c full_page_writes=off -c synchronous_commit=off" start >/dev/null; then
    setup_say "the private PostgreSQL did not start:"
    tail -n 20 "$folder/server.log"
    return 1
  fi
  export ROUNDS_TEST_PG_DSN="host=127.0.0.1 port=$port user=postgres password=$password dbname=test"
  make_test_database "$port"
}

# The tests log in with ROUNDS_TEST_PG_DSN and make their databases from its database.
make_test_database() {
  local status=0
  create_dsn_database || status=$?
  [ "$status" = 0 ] && return 0
  # A Debian cluster with password login (trust is also common): give the role postgres the
  # tests' password, through the local socket, as root may.
  if [ "$status" = 3 ] && [ -z "$private_postgres" ] && [ "$(id -u)" = 0 ] &&
    id -u postgres >/dev/null 2>&1 && command -v psql >/dev/null; then
    setup_say "setting the password of PostgreSQL's role postgres to the tests' one"
    runuser -u postgres -- psql -p "$1" -qc "ALTER USER postgres PASSWORD 'postgres'" &&
      create_dsn_database && return 0
  fi
  setup_say "set ROUNDS_TEST_PG_DSN to a role that may create databases, or" \
    "ROUNDS_TEST_PG_PORT to a free port for a private PostgreSQL"
  return 1
}

# Exit status 3: the login was refused; 2: no connection at all.
create_dsn_database() {
  .venv/bin/python - <<'PY'
import os
import sys

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

dsn = os.environ["ROUNDS_TEST_PG_DSN"]
name = conninfo_to_dict(dsn).get("dbname", "test")
shown = make_conninfo(dsn, password="...")
try:
    conn = psycopg.connect(make_conninfo(dsn, dbname="postgres"), autocommit=True, connect_timeout=10)
except psycopg.OperationalError as error:
    print(f"test set-up: PostgreSQL ({shown}) refused: {str(error).strip()}", file=sys.stderr)
    sys.exit(3 if "authentication failed" in str(error) else 2)
with conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"test set-up: made the database {name}")
PY
}

start_test_redis() {
  local port="${ROUNDS_TEST_REDIS_PORT:-6379}" folder
  if [ -n "${ROUNDS_TEST_REDIS_URL:-}" ]; then
    setup_say "Redis: ROUNDS_TEST_REDIS_URL as given"
    return 0
  fi
  folder="$test_services_dir/redis-$port"
  stop_leftover_redis "$folder" "$port"
  export ROUNDS_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
  if listening "$port"; then
    setup_say "Redis: the one running on 127.0.0.1:$port"
    return 0
  fi
  setup_say "Redis: none on 127.0.0.1:$port, starting a private one ($folder)"
  rm -rf "$folder"
  mkdir -p "$folder"
  # Nothing to keep: no snapshots, no append-only file.
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$folder" \
    --daemonize yes --pidfile "$folder/redis.pid" --logfile "$folder/redis.log" || return 1
  private_redis_pidfile="$folder/redis.pid"
  for _ in $(seq 1 40); do listening "$port" && return 0; sleep 0.25; done
  setup_say "the private Redis did not start:"
  tail -n 20 "$folder/redis.log"
  return 1
}

stop_leftover_redis() {
  local pid
  pid="$(cat "$1/redis.pid" 2>/dev/null)" || return 0
  if grep -qs redis-server "/proc/$pid/cmdline"; then
    setup_say "stopping the private Redis an earlier run left on 127.0.0.1:$2"
    stop_pid "$pid"
  fi
}

stop_pid() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 40); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.25; done
  kill -9 "$1" 2>/dev/null || true
}

stop_test_services() {
  local bin pid
  if [ -n "$private_redis_pidfile" ]; then
    pid="$(cat "$private_redis_pidfile" 2>/dev/null)" && stop_pid "$pid"
    private_redis_pidfile=""
    setup_say "stopped the private Redis"
  fi
  if [ -n "$private_postgres" ]; then
    if bin="$(postgres_bindir)"; then
      "${as_postgres[@]}" "$bin/pg_ctl" -D "$private_postgres/data" -m fast -w -t 30 stop \
        >/dev/null 2>&1 || true
    fi
    # The data was the tests' alone; under var/ the server's log stays for a look after a
    # failed run, a temporary folder goes whole.
    case "$private_postgres" in
      "$test_services_dir"/*) rm -rf "$private_postgres/data" ;;
      *) rm -rf "$private_postgres" ;;
    esac
    private_postgres=""
    setup_say "stopped the private PostgreSQL"
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ensure_test_programs
fi
