#!/usr/bin/env bash
# Production mode on one machine: PostgreSQL and Redis (already running), several gunicorn
# processes (one gevent worker each) sharing them, and nginx with TLS and sticky sessions in
# front. Ctrl-C stops the processes and nginx. See docs/operations.md for a real deployment.
#
# Settings (environment; the defaults suit a trial on this machine, never a hospital):
#   DATABASE_URL   postgresql+psycopg://postgres:postgres@127.0.0.1:5432/rounds
#   REDIS_URL      redis://127.0.0.1:6379/0
#   SECRET_KEY     made once and kept in var/production/secret_key
#   ROUNDS_PROCESSES=2  ROUNDS_FIRST_PORT=8001  ROUNDS_HTTPS_PORT=8443  ROUNDS_HTTP_PORT=8080
#   ROUNDS_SERVER_NAME=127.0.0.1   ROUNDS_LISTEN_ADDRESS=127.0.0.1 (nginx; 0.0.0.0 for the LAN)
#   ROUNDS_CERTIFICATE / ROUNDS_CERTIFICATE_KEY (else a self-signed one is made)
#   ROUNDS_DEMO=1  load the fictional demo data (never on a real database)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh

var="$PWD/var/production"
mkdir -p "$var/logs"
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

export ROUNDS_CONFIG=production
export DATABASE_URL="${DATABASE_URL:-postgresql+psycopg://postgres:postgres@127.0.0.1:5432/rounds}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
if [ -z "${SECRET_KEY:-}" ]; then
  [ -s "$var/secret_key" ] || (umask 077 && .venv/bin/python -c \
    'import secrets; print(secrets.token_hex(32))' > "$var/secret_key")
  SECRET_KEY="$(cat "$var/secret_key")"
  export SECRET_KEY
fi
processes="${ROUNDS_PROCESSES:-2}"
first_port="${ROUNDS_FIRST_PORT:-8001}"
https_port="${ROUNDS_HTTPS_PORT:-8443}"
http_port="${ROUNDS_HTTP_PORT:-8080}"
server_name="${ROUNDS_SERVER_NAME:-127.0.0.1}"
listen_address="${ROUNDS_LISTEN_ADDRESS:-127.0.0.1}"
export SOCKETIO_ALLOWED_ORIGINS="${SOCKETIO_ALLOWED_ORIGINS:-https://$server_name:$https_port}"

command -v nginx >/dev/null || { echo "nginx is missing: apt-get install -y nginx-light"; exit 1; }

# The database itself, if this PostgreSQL does not have it yet (trial convenience).
.venv/bin/python - <<'PY'
import os
import psycopg
from sqlalchemy.engine import make_url

url = make_url(os.environ["DATABASE_URL"])
admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url.database]).fetchone():
        conn.execute(f'CREATE DATABASE "{url.database}"')
        print(f"made database {url.database}")
PY

# Once, before any process starts: several processes migrating or seeding at once race.
.venv/bin/flask --app app db upgrade
if [ "${ROUNDS_DEMO:-0}" = "1" ]; then .venv/bin/flask --app app seed-demo; fi

certificate="${ROUNDS_CERTIFICATE:-$var/tls/rounds.crt}"
certificate_key="${ROUNDS_CERTIFICATE_KEY:-$var/tls/rounds.key}"
if [ ! -s "$certificate" ]; then
  mkdir -p "$var/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$server_name" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$certificate_key" -out "$certificate" 2>/dev/null
  echo "made a self-signed certificate for this trial: $certificate"
fi

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo "stopping"
  for pid in "${pids[@]}"; do kill -QUIT -- "-$pid" 2>/dev/null || kill -QUIT "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

upstreams=()
for n in $(seq 1 "$processes"); do
  port=$((first_port + n - 1))
  if listening "$port"; then echo "port $port is taken"; exit 1; fi
  # Its own session: `kill -9 -- -$(cat var/production/app1.pid)` kills that whole process.
  PORT="$port" ROUNDS_PROCESS_NAME="app$n" setsid .venv/bin/gunicorn \
    -c deploy/gunicorn.conf.py --pid "$var/app$n.pid" rounds.wsgi:app >"$var/logs/app$n.log" 2>&1 &
  pids+=($!)
  upstreams+=("--upstream=$port")
done
for n in $(seq 1 "$processes"); do
  port=$((first_port + n - 1))
  for _ in $(seq 1 60); do listening "$port" && break; sleep 0.5; done
  listening "$port" || { echo "app$n did not start: see $var/logs/app$n.log"; exit 1; }
done

conf="$(.venv/bin/python scripts/nginx_conf.py "$var/nginx" --listen "$listen_address:$https_port" \
  --http-listen "$listen_address:$http_port" --server-name "$server_name" --certificate "$certificate" \
  --certificate-key "$certificate_key" "${upstreams[@]}")"
nginx -p "$var/nginx" -c "$conf" -g "daemon off;" &
nginx_pid=$!
pids+=("$nginx_pid")

echo
echo "Rounds (production mode): https://$server_name:$https_port  ($processes processes, nginx, PostgreSQL, Redis)"
echo "Logs: $var/logs/   Stop: Ctrl-C   Crash a process: kill -9 -- -\$(cat $var/app1.pid)"
# An app process that dies is not the end: nginx sends its families to the others.
wait "$nginx_pid"
