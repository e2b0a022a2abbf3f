#!/usr/bin/env bash
# `make demo`: serve the bundled demo portal (demo/site) on a free loopback port, crawl it into
# demo.db, print the run's summary and how to browse the archive. The server is stopped however
# the crawl ends (trap on EXIT).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DB=${DEMO_DB:-demo.db}

# A fresh archive each time: the port (part of every URL) changes from run to run.
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.lock"

portfile=$(mktemp)
"$BIN/python" demo/serve.py --port 0 >"$portfile" &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -f "$portfile"
}
trap cleanup EXIT

for _ in $(seq 100); do
  [ -s "$portfile" ] && break
  kill -0 "$server" 2>/dev/null || { echo "demo: the demo server exited" >&2; exit 1; }
  sleep 0.1
done
port=$(head -n 1 "$portfile")
[ -n "$port" ] || { echo "demo: the demo server did not report its port" >&2; exit 1; }
url="http://127.0.0.1:$port/"
echo "demo: serving demo/site at $url (loopback only)"

# The demo portal as a one-row sources list, so its reports carry a region as real sources do.
sources=$(mktemp --suffix=.csv)
trap 'cleanup; rm -f "$sources"' EXIT
cat >"$sources" <<CSV
id,agency,region,division_code,level,kind,start_url,cms,found_at,notes
demo-luohe,漯河市人民政府,河南省/漯河市,411100,prefecture,home,$url,plain,demo/site,the bundled demo portal (TRS- and Hanweb-style columns)
CSV

# Our own server on loopback: no need for the politeness delays a real portal gets, and loopback
# must be allowed (a crawl refuses non-public addresses otherwise).
"$BIN/ogi" crawl --sources "$sources" --db "$DB" -s AUTOTHROTTLE_ENABLED=False -s DOWNLOAD_DELAY=0 \
  -s OGI_ALLOW_PRIVATE_HOSTS=True

cat <<MSG

The archive is in $DB. Browse it (Datasette) with:
    $BIN/ogi serve --db $DB
or query it directly:
    sqlite3 $DB 'SELECT agency, year, title FROM documents'
MSG
