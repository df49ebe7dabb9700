#!/usr/bin/env bash
# Installs what the private TimescaleDB cluster needs, idempotently:
#   PostgreSQL 15 + server headers + pg_cron from Debian, and TimescaleDB (Apache edition) built from
#   Debian's trixie source package against PostgreSQL 15 (bookworm has no timescaledb package), fetched from the
#   mirror this machine's apt sources already use (`bash timescale/install.sh --print-mirror` shows it).
# Skips in seconds when everything is present. Needs root (or sudo) only when something is missing.
set -euo pipefail

PG_MAJOR=${PG_MAJOR:-15}
PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
SRC_DIR=${FUNDINGD_BUILD_DIR:-/var/tmp/fundingd-timescaledb-build}

log() { printf '[timescale/install] %s\n' "$*" >&2; }

# The Debian mirror this machine's apt already uses for its own release (so a machine behind its own mirror or
# proxy fetches the trixie source package from there too): the first enabled "deb" source whose suite is exactly
# the release codename, from sources.list / sources.list.d/*.list (one-line format, with or without [options]) or
# sources.list.d/*.sources (deb822). FUNDINGD_DEBIAN_MIRROR overrides; FUNDINGD_APT_ETC (default /etc/apt) and
# FUNDINGD_OS_RELEASE exist for the installer's tests.
debian_mirror() {
  if [ -n "${FUNDINGD_DEBIAN_MIRROR:-}" ]; then echo "$FUNDINGD_DEBIAN_MIRROR"; return 0; fi
  local etc=${FUNDINGD_APT_ETC:-/etc/apt} codename f uri
  codename=$(. "${FUNDINGD_OS_RELEASE:-/etc/os-release}" && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || { log "no VERSION_CODENAME in os-release"; return 1; }
  for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk -v suite="$codename" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$f")
    if [ -n "$uri" ]; then echo "${uri%/}"; return 0; fi
  done
  for f in "$etc"/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk -v suite="$codename" '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; enabled = "yes"
        for (n = 1; n <= NF; n++) {
          line = $n
          if (line ~ /^[ \t]*#/ || line !~ /:/) continue
          key = tolower(substr(line, 1, index(line, ":") - 1)); val = substr(line, index(line, ":") + 1)
          gsub(/^[ \t]+|[ \t]+$/, "", val)
          if (key == "types") types = val; else if (key == "uris") uris = val
          else if (key == "suites") suites = val; else if (key == "enabled") enabled = tolower(val)
        }
        if (enabled == "no") next
        if ((" " types " ") !~ / deb /) next
        if ((" " suites " ") !~ (" " suite " ")) next
        split(uris, u, /[ \t]+/); print u[1]; exit
      }' "$f")
    if [ -n "$uri" ]; then echo "${uri%/}"; return 0; fi
  done
  log "no enabled Debian source for suite $codename in $etc; set FUNDINGD_DEBIAN_MIRROR (e.g. your mirror's /debian URL)"
  return 1
}

if [ "${1:-}" = "--print-mirror" ]; then debian_mirror; exit $?; fi

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
  mirror=$(debian_mirror)
  log "trixie source package from $mirror (this machine's own Debian mirror)"
  printf 'deb %s trixie main\ndeb-src %s trixie main\n' "$mirror" "$mirror" > "$SRC_DIR/trixie.list"
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
