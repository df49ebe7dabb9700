#!/usr/bin/env bash
# Cluster bootstrap for the TimescaleDB container (docker-compose.yml mounts it into
# /docker-entrypoint-initdb.d, which runs once, on an empty data directory, as the superuser).
# The same superuser steps as schema/README.md "Superuser steps"; passwords come from the environment.
# pg_cron is not in the Community image: refresh and retention run as TimescaleDB policies there.
set -euo pipefail
: "${FUNDINGD_OWNER_PASSWORD:?}" "${FUNDINGD_WRITER_PASSWORD:?}" "${FUNDINGD_READER_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v owner_pw="$FUNDINGD_OWNER_PASSWORD" -v writer_pw="$FUNDINGD_WRITER_PASSWORD" \
     -v reader_pw="$FUNDINGD_READER_PASSWORD" <<'SQL'
CREATE ROLE fundingd LOGIN PASSWORD :'owner_pw';
CREATE ROLE fundingd_writer LOGIN PASSWORD :'writer_pw';
CREATE ROLE fundingd_reader LOGIN PASSWORD :'reader_pw';
-- The admin route's role (set_dex_fees only); compose runs the API with DATABASE_URL (the owner), so it stays
-- NOLOGIN here: ALTER ROLE fundingd_operator LOGIN PASSWORD '...' to give the route its own login.
CREATE ROLE fundingd_operator NOLOGIN;
-- Owns the continuous aggregates so that the writer may refresh them (timescale/timescale/0059).
CREATE ROLE fundingd_rollups NOLOGIN;
GRANT fundingd_rollups TO fundingd, fundingd_writer;
CREATE DATABASE fundingd OWNER fundingd;
\c fundingd
CREATE EXTENSION IF NOT EXISTS timescaledb;
SQL
