-- 0060 read replicas: what the API needs to serve reads from a hot standby.
--
-- The API may read from a standby (DATABASE_READER_URL) while it hears cycle notifications on the primary
-- (DATABASE_LISTEN_URL). Before it pushes a cycle or drops its response cache it waits until its reader has
-- replayed the primary's WAL up to the position cycle_notice() reported (bounded wait), so no client is sent the
-- state from before the cycle. /api/v1/health reports the replica's lag.

CREATE FUNCTION replica_status(OUT in_recovery boolean, OUT replay_lag_seconds float8, OUT replay_lsn text)
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$
    SELECT pg_is_in_recovery(),
           CASE WHEN pg_is_in_recovery()
                THEN greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()))::float8 END,
           CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END
$$;

COMMENT ON FUNCTION replica_status() IS
    'Whether this server is a hot standby (in_recovery) and, if so, replay_lag_seconds = now() - pg_last_xact_replay_timestamp() (seconds since the commit time of the last replayed transaction: the replay delay while the primary writes, growing while it is idle; NULL before anything was replayed) and replay_lsn. On a primary: false, NULL, NULL.';

CREATE FUNCTION replica_caught_up(p_lsn text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$
    SELECT NOT pg_is_in_recovery() OR coalesce(pg_last_wal_replay_lsn() >= p_lsn::pg_lsn, false)
$$;

COMMENT ON FUNCTION replica_caught_up(text) IS
    'True on a primary, or on a standby that has replayed the WAL up to p_lsn (a primary_lsn from cycle_notice()).';
