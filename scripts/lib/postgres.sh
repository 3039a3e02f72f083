# A throwaway PostgreSQL cluster for the tests: initdb into a fresh temporary directory, listening only
# on a Unix socket in that directory (no TCP), trust authentication for the cluster's own OS user.
# Sourced, not run. Needs Debian's postgresql package (its binaries under /usr/lib/postgresql/N/bin).
#
#   observees_pg_start   starts it and exports OBSERVEES_TEST_POSTGRES (a libpq conninfo string)
#   observees_pg_stop    stops it and removes the directory; safe to call twice, or with none started

observees_pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

observees_pg_start() {
  local bin
  bin=$(observees_pg_bin) || { echo "postgresql: initdb not found (apt-get install postgresql)"; return 1; }
  OBSERVEES_PG_DIR=$(mktemp -d /tmp/observees-pg.XXXXXX)
  # initdb and postgres refuse to run as root: run them as the package's postgres user.
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$OBSERVEES_PG_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$OBSERVEES_PG_DIR/data" --auth=trust --username=observees \
    --encoding=UTF8 --locale=C.UTF-8 >"$OBSERVEES_PG_DIR/initdb.log" 2>&1 ||
    { cat "$OBSERVEES_PG_DIR/initdb.log"; return 1; }
  # No TCP at all (listen_addresses ''); the socket lives in the cluster's own directory.
  "${as[@]}" "$bin/pg_ctl" -D "$OBSERVEES_PG_DIR/data" -l "$OBSERVEES_PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$OBSERVEES_PG_DIR' -c port=5432 -c max_connections=200 -c fsync=off" \
    start >/dev/null || { cat "$OBSERVEES_PG_DIR/server.log"; return 1; }
  chmod 755 "$OBSERVEES_PG_DIR"
  export OBSERVEES_PG_DIR
  export OBSERVEES_TEST_POSTGRES="host=$OBSERVEES_PG_DIR port=5432 user=observees dbname=postgres"
  echo "postgresql: throwaway cluster at $OBSERVEES_PG_DIR ($("$bin/postgres" --version))"
}

observees_pg_stop() {
  [ -n "${OBSERVEES_PG_DIR:-}" ] && [ -d "$OBSERVEES_PG_DIR" ] || return 0
  local bin as=()
  bin=$(observees_pg_bin)
  [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$bin/pg_ctl" -D "$OBSERVEES_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$OBSERVEES_PG_DIR"
  unset OBSERVEES_PG_DIR OBSERVEES_TEST_POSTGRES
}
