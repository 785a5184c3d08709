#!/bin/sh
# The streaming replica: on first start, copy the primary with pg_basebackup
# (-R writes primary_conninfo and standby.signal); then run PostgreSQL.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h postgres-primary -U "$POSTGRES_USER" -q; do sleep 1; done
  PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup -h postgres-primary -U replicator \
    -D "$PGDATA" -R -X stream -P
  chmod 0700 "$PGDATA"
fi
exec docker-entrypoint.sh postgres -c hot_standby=on
