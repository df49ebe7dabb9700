#!/usr/bin/env bash
# Installs what the private TimescaleDB cluster needs, idempotently:
#   PostgreSQL 15 + server headers + pg_cron from Debian, and TimescaleDB (Apache edition) built from
#   Debian's trixie source package against PostgreSQL 15 (bookworm has no timescaledb package).
# Skips in seconds when everything is present. Needs root (or sudo) only when something is missing.
set -euo pipefail

PG_MAJOR=${PG_MAJOR:-15}
PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
SRC_DIR=${FUNDINGD_BUILD_DIR:-/var/tmp/fundingd-timescaledb-build}

log() { printf '[timescale/install] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*"; exit 1; fi
}

have_packages() {
  [ -x "$PG_CONFIG" ] && [ -x "/usr/lib/postgresql/$PG_MAJOR/bin/initdb" ] \
    && [ -f "/usr/share/postgresql/$PG_MAJOR/extension/pg_cron.control" ] \
    && [ -d "/usr/include/postgresql/$PG_MAJOR/server" ] && command -v cmake >/dev/null
}

have_timescaledb() {
  [ -f "/usr/share/postgresql/$PG_MAJOR/extension/timescaledb.control" ] \
    && ls "$("$PG_CONFIG" --pkglibdir)"/timescaledb*.so >/dev/null 2>&1
}

if have_packages && have_timescaledb; then
  log "PostgreSQL $PG_MAJOR, pg_cron and TimescaleDB already installed"
  exit 0
fi

if ! have_packages; then
  log "installing PostgreSQL $PG_MAJOR, server headers, pg_cron and build tools from Debian"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends \
    "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR" "postgresql-$PG_MAJOR-cron" \
    postgresql-client cmake make gcc libssl-dev libkrb5-dev patch xz-utils ca-certificates >/dev/null
fi

if ! have_timescaledb; then
  log "building TimescaleDB (Apache edition) from Debian's trixie source package"
  as_root mkdir -p "$SRC_DIR"
  as_root chmod 0777 "$SRC_DIR"   # apt's _apt user downloads into it
  state="$SRC_DIR/apt-state"; mkdir -p "$state/lists/partial"
  printf 'deb http://deb.debian.org/debian trixie main\ndeb-src http://deb.debian.org/debian trixie main\n' \
    > "$SRC_DIR/trixie.list"
  apt_opts=(-o "Dir::Etc::SourceList=$SRC_DIR/trixie.list" -o Dir::Etc::SourceParts=/nonexistent
            -o "Dir::State::Lists=$state/lists" -o Dir::State::Status=/var/lib/dpkg/status
            -o Debug::NoLocking=1)
  as_root apt-get "${apt_opts[@]}" update -qq
  ( cd "$SRC_DIR" && as_root apt-get "${apt_opts[@]}" source --download-only -qq timescaledb ) 2>&1 \
    | grep -v "^W: Download is performed unsandboxed" >&2 || true
  orig=$(ls "$SRC_DIR"/timescaledb_*.orig.tar.* | head -n1)
  deb=$(ls "$SRC_DIR"/timescaledb_*.debian.tar.* | head -n1)
  work="$SRC_DIR/src"; rm -rf "$work"; mkdir -p "$work"
  tar -xf "$orig" -C "$work" --strip-components=1
  tar -xf "$deb" -C "$work"
  if [ -f "$work/debian/patches/series" ]; then
    while read -r p; do
      case "$p" in ''|'#'*) continue ;; esac
      patch -d "$work" -p1 -s < "$work/debian/patches/$p"
    done < "$work/debian/patches/series"
  fi
  ( cd "$work" && ./bootstrap -DAPACHE_ONLY=1 -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
      -DSEND_TELEMETRY_DEFAULT=OFF -DUSE_TELEMETRY=OFF -DPG_CONFIG="$PG_CONFIG" -DCMAKE_BUILD_TYPE=Release >/dev/null \
    && make -C build -j"$(nproc)" >/dev/null && as_root make -C build install >/dev/null )
  have_timescaledb || { log "TimescaleDB build did not install"; exit 1; }
fi
log "done: $("$PG_CONFIG" --version), TimescaleDB $(sed -n "s/^default_version = '\(.*\)'/\1/p" \
  "/usr/share/postgresql/$PG_MAJOR/extension/timescaledb.control")"
