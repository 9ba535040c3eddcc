#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + pgvector for the tests, the benchmarks and trying the Postgres
# backend locally. Nothing here touches a system cluster: the data directory and the Unix
# socket live under $MEMGPT_PG_DIR (default /tmp/langgraph-memgpt-pg, outside the repository so
# the postgres user can reach it), and the server listens on no TCP port, so nothing clashes.
#
#   bash scripts/postgres.sh install   # Debian packages + pgvector 0.8.0 (built from Debian's
#                                      # source package; bookworm has no pgvector for 15)
#   bash scripts/postgres.sh start     # initdb (first time) and start; prints the URL
#   bash scripts/postgres.sh url       # the URL of the running server
#   bash scripts/postgres.sh stop
#
# `start` installs first when needed (as root with apt-get; otherwise it says what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_VERSION=15
PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
PG_DIR=${MEMGPT_PG_DIR:-${TMPDIR:-/tmp}/langgraph-memgpt-pg}
PG_PORT=${MEMGPT_PG_PORT:-54329} # only names the socket file; we listen on no TCP port
PGVECTOR_VERSION=0.8.0
PGVECTOR_SHA256=867a2c328d4928a5a9d6f052cd3bc78c7d60228a9b914ad32aa3db88e9de27b0
PGVECTOR_URL=http://deb.debian.org/debian/pool/main/p/pgvector/pgvector_${PGVECTOR_VERSION}.orig.tar.gz
DB=memgpt

have_pgvector() {
  [ -f "/usr/share/postgresql/$PG_VERSION/extension/vector.control" ]
}

install() {
  if [ -x "$PG_BIN/initdb" ] && have_pgvector; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL $PG_VERSION with pgvector is not installed, and installing needs root and apt-get." >&2
    exit 2
  fi
  if ! dpkg -s "postgresql-$PG_VERSION" "postgresql-server-dev-$PG_VERSION" >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      "postgresql-$PG_VERSION" "postgresql-server-dev-$PG_VERSION" make gcc curl >/dev/null
  fi
  if ! have_pgvector; then
    local build
    build=$(mktemp -d)
    curl -fsSL --retry 3 -o "$build/pgvector.tar.gz" "$PGVECTOR_URL"
    echo "$PGVECTOR_SHA256  $build/pgvector.tar.gz" | sha256sum -c --quiet -
    tar -xzf "$build/pgvector.tar.gz" -C "$build"
    make -s -C "$build/pgvector-$PGVECTOR_VERSION" PG_CONFIG="$PG_BIN/pg_config" OPTFLAGS="" >/dev/null
    make -s -C "$build/pgvector-$PGVECTOR_VERSION" PG_CONFIG="$PG_BIN/pg_config" install >/dev/null
    rm -rf "$build"
  fi
}

# initdb and postgres refuse to run as root: run them as the postgres user when we are root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() {
  echo "postgresql:///$DB?host=$PG_DIR/socket&port=$PG_PORT&user=postgres"
}

start() {
  install
  mkdir -p "$PG_DIR/socket"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$PG_DIR"
  fi
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$PG_DIR/initdb.log"
  fi
  if ! as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
    as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
      -o "-c listen_addresses='' -k $PG_DIR/socket -p $PG_PORT -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null
  fi
  local psql=("$PG_BIN/psql" -h "$PG_DIR/socket" -p "$PG_PORT" -U postgres -qAt)
  if [ "$("${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname='$DB'")" != 1 ]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE $DB"
  fi
  url
}

stop() {
  if [ -f "$PG_DIR/data/PG_VERSION" ]; then
    as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  fi
}

case "${1:-start}" in
  install) install ;;
  start) start ;;
  url) url ;;
  stop) stop ;;
  *)
    echo "usage: $0 install|start|url|stop" >&2
    exit 2
    ;;
esac
