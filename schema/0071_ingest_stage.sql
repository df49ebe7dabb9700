-- 0071 staging a cycle with one statement instead of COPY.
--
-- The daemon used to COPY each cycle into pg_temp.ingest_staging. PostgresNIO 1.33's COPY is not safe when the
-- server ends the connection mid-stream (a terminated backend, a restart): the client either waited forever or
-- stopped the process with "Invalid query state machine action in state: .closing". An ordinary statement fails
-- cleanly instead, so the daemon binds the cycle as arrays (one per column) and this function unnests them into
-- the staging table. Arrays cannot carry NULL through that client, so an optional number travels as text (its
-- shortest round-trip decimal, '' when absent: a NaN or a negative latency stays what it was, so the write path's
-- checks still see it) and an absent time as the smallest bigint. Times are whole microseconds since 1970 (exact:
-- a run's started_at and its rows' time must stay equal to the microsecond).
-- psql users and tools can still COPY into the staging table directly.

CREATE FUNCTION ingest_stage(
    p_dex                    text[],
    p_dex_symbol             text[],
    p_symbol                 text[],
    p_quote                  text[],
    p_margin                 text[],
    p_multiplier             float8[],
    p_time_us                bigint[],
    p_funding_rate           float8[],
    p_funding_interval_hours float8[],
    p_predicted_rate         text[],
    p_next_funding_time_us   bigint[],
    p_mark_price             text[],
    p_index_price            text[],
    p_open_interest_base     text[],
    p_open_interest_usd      text[],
    p_volume_24h_usd         text[],
    p_best_bid               text[],
    p_best_ask               text[],
    p_collection_latency_ms  text[])
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_rows integer;
    v_epoch constant timestamptz := timestamptz '1970-01-01 00:00:00+00';
BEGIN
    PERFORM public.ingest_begin() WHERE to_regclass('pg_temp.ingest_staging') IS NULL;
    INSERT INTO pg_temp.ingest_staging
        (dex, dex_symbol, symbol, quote, margin, multiplier, time, funding_rate, funding_interval_hours,
         predicted_rate, next_funding_time, mark_price, index_price, open_interest_base, open_interest_usd,
         volume_24h_usd, best_bid, best_ask, collection_latency_ms)
    SELECT u.dex, u.dex_symbol, u.symbol, u.quote, u.margin, u.multiplier,
           v_epoch + u.time_us * interval '1 microsecond', u.funding_rate,
           u.funding_interval_hours, nullif(u.predicted_rate, '')::float8,
           v_epoch + nullif(u.next_us, -9223372036854775808) * interval '1 microsecond',
           nullif(u.mark_price, '')::float8, nullif(u.index_price, '')::float8, nullif(u.oi_base, '')::float8,
           nullif(u.oi_usd, '')::float8, nullif(u.volume, '')::float8, nullif(u.bid, '')::float8,
           nullif(u.ask, '')::float8, nullif(u.latency, '')::integer
    FROM unnest(p_dex, p_dex_symbol, p_symbol, p_quote, p_margin, p_multiplier, p_time_us, p_funding_rate,
                p_funding_interval_hours, p_predicted_rate, p_next_funding_time_us, p_mark_price, p_index_price,
                p_open_interest_base, p_open_interest_usd, p_volume_24h_usd, p_best_bid, p_best_ask,
                p_collection_latency_ms)
         AS u(dex, dex_symbol, symbol, quote, margin, multiplier, time_us, funding_rate, funding_interval_hours,
              predicted_rate, next_us, mark_price, index_price, oi_base, oi_usd, volume, bid, ask, latency);
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$$;

COMMENT ON FUNCTION ingest_stage(text[], text[], text[], text[], text[], float8[], bigint[], float8[], float8[], text[], bigint[], text[], text[], text[], text[], text[], text[], text[], text[]) IS
    'Write path step 1b (same transaction as ingest_apply): stages one cycle''s samples in pg_temp.ingest_staging from one array per column (the column order of ingest_staging), so a client needs no COPY. Optional numbers (and collection_latency_ms) as text ('' = absent), an absent next_funding_time as the smallest bigint. Times in whole microseconds since 1970-01-01 UTC. Returns the number of rows staged.';

REVOKE ALL ON FUNCTION ingest_stage(text[], text[], text[], text[], text[], float8[], bigint[], float8[], float8[], text[], bigint[], text[], text[], text[], text[], text[], text[], text[], text[]) FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_writer') THEN
        GRANT EXECUTE ON FUNCTION ingest_stage(text[], text[], text[], text[], text[], float8[], bigint[], float8[], float8[], text[], bigint[], text[], text[], text[], text[], text[], text[], text[], text[]) TO fundingd_writer;
    END IF;
END
$$;
