-- 0104 staging many rows at once: each column as one text, its values joined by newlines.
--
-- ingest_stage (0071) takes one array per column. Binding an array costs the client per element: for a cycle of
-- a few thousand rows that is nothing, but `fundingd run --demo` seeds about 650,000 rows of sampled history at
-- start, and a debug build of the client spent about 85 us per row encoding the 19 arrays (measured: 5.5 s for
-- 64,800 rows) against a fraction of that in the database. One text per column is one buffer to bind; the
-- database splits it (string_to_array, in C) and stages through ingest_stage, so the rows take the same checks
-- and the same ingest_apply afterwards.
--
-- Each value is written as in ingest_stage's arrays (numbers in their shortest round-trip decimal, '' for an
-- absent optional one, times in whole microseconds since 1970, the smallest bigint for no next funding time),
-- joined with E'\n'. Every column must hold the same number of values (an error names the first that does not);
-- values cannot contain a newline (no venue symbol does).

CREATE FUNCTION ingest_stage_joined(
    p_dex                    text,
    p_dex_symbol             text,
    p_symbol                 text,
    p_quote                  text,
    p_margin                 text,
    p_multiplier             text,
    p_time_us                text,
    p_funding_rate           text,
    p_funding_interval_hours text,
    p_predicted_rate         text,
    p_next_funding_time_us   text,
    p_mark_price             text,
    p_index_price            text,
    p_open_interest_base     text,
    p_open_interest_usd      text,
    p_volume_24h_usd         text,
    p_best_bid               text,
    p_best_ask               text,
    p_collection_latency_ms  text)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_columns text[] := ARRAY[p_dex, p_dex_symbol, p_symbol, p_quote, p_margin, p_multiplier, p_time_us,
                              p_funding_rate, p_funding_interval_hours, p_predicted_rate, p_next_funding_time_us,
                              p_mark_price, p_index_price, p_open_interest_base, p_open_interest_usd,
                              p_volume_24h_usd, p_best_bid, p_best_ask, p_collection_latency_ms];
    v_rows    integer := coalesce(cardinality(string_to_array(p_dex, E'\n')), 0);
BEGIN
    -- A column of one empty value splits to no values: compare newline counts instead.
    FOR i IN 1 .. cardinality(v_columns) LOOP
        IF v_columns[i] IS NULL
           OR length(v_columns[i]) - length(replace(v_columns[i], E'\n', '')) <> greatest(v_rows - 1, 0) THEN
            RAISE EXCEPTION 'ingest_stage_joined: column % does not hold % values', i, v_rows
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
    IF v_rows = 0 THEN
        RETURN 0;
    END IF;
    RETURN public.ingest_stage(
        string_to_array(p_dex, E'\n'), string_to_array(p_dex_symbol, E'\n'), string_to_array(p_symbol, E'\n'),
        string_to_array(p_quote, E'\n'), string_to_array(p_margin, E'\n'),
        string_to_array(p_multiplier, E'\n')::float8[], string_to_array(p_time_us, E'\n')::bigint[],
        string_to_array(p_funding_rate, E'\n')::float8[], string_to_array(p_funding_interval_hours, E'\n')::float8[],
        -- Optional columns: a lone '' splits to {} (unnest then pads NULL, the same "absent").
        string_to_array(p_predicted_rate, E'\n'), string_to_array(p_next_funding_time_us, E'\n')::bigint[],
        string_to_array(p_mark_price, E'\n'), string_to_array(p_index_price, E'\n'),
        string_to_array(p_open_interest_base, E'\n'), string_to_array(p_open_interest_usd, E'\n'),
        string_to_array(p_volume_24h_usd, E'\n'), string_to_array(p_best_bid, E'\n'),
        string_to_array(p_best_ask, E'\n'), string_to_array(p_collection_latency_ms, E'\n'));
END
$$;

COMMENT ON FUNCTION ingest_stage_joined(text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text) IS
    'Write path step 1b for many rows (same transaction as ingest_apply): ingest_stage with each column given as one text, its values (as ingest_stage takes them) joined by newlines, so a client binds 19 buffers instead of 19 arrays of elements. Every column must hold as many values as p_dex. Returns the number of rows staged. fundingd run --demo seeds its sampled history through it.';

REVOKE ALL ON FUNCTION ingest_stage_joined(text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text) FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_writer') THEN
        GRANT EXECUTE ON FUNCTION ingest_stage_joined(text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text) TO fundingd_writer;
    END IF;
END
$$;
