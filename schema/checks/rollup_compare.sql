-- Compares funding_rates_1h / funding_rates_1d with a from-scratch GROUP BY over funding_rates, written
-- independently of rollup_definitions. Raises an exception on any difference (relative tolerance 1e-9 for sums
-- and means: summation order differs). Runs on both editions: the watermark (Apache only) is reported where
-- rollup_watermark() exists.
CREATE OR REPLACE FUNCTION pg_temp.close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT (a IS NULL AND b IS NULL) OR (a IS NOT NULL AND b IS NOT NULL AND abs(a - b) <= 1e-9 * greatest(abs(a), abs(b), 1e-12)) $$;

DO $$
DECLARE
    w text;
    bad bigint;
    n_raw bigint;
    n_view bigint;
    mark text;
BEGIN
    FOREACH w IN ARRAY ARRAY['1h', '1d'] LOOP
        EXECUTE format($q$
            WITH raw AS (
                SELECT time_bucket(%L::interval, time) AS bucket, market_id, count(*) AS n,
                       avg(funding_rate) AS a, min(funding_rate) AS mn, max(funding_rate) AS mx,
                       first(funding_rate, time) AS f, last(funding_rate, time) AS l,
                       sum(funding_rate) AS s, sum(funding_rate ^ 2) AS ss,
                       avg(open_interest_usd) AS oi, avg(volume_24h_usd) AS v,
                       last(mark_price, time) AS mp, last(funding_interval_hours, time) AS fih
                FROM funding_rates GROUP BY 1, 2)
            SELECT count(*) FILTER (WHERE r.sample_count IS DISTINCT FROM raw.n
                                       OR NOT pg_temp.close(r.rate_avg, raw.a)
                                       OR r.rate_min IS DISTINCT FROM raw.mn OR r.rate_max IS DISTINCT FROM raw.mx
                                       OR r.rate_first IS DISTINCT FROM raw.f OR r.rate_last IS DISTINCT FROM raw.l
                                       OR NOT pg_temp.close(r.rate_sum, raw.s) OR NOT pg_temp.close(r.rate_sum_sq, raw.ss)
                                       OR NOT pg_temp.close(r.oi_usd_avg, raw.oi)
                                       OR NOT pg_temp.close(r.volume_24h_usd_avg, raw.v)
                                       OR r.mark_price_last IS DISTINCT FROM raw.mp
                                       OR r.funding_interval_hours IS DISTINCT FROM raw.fih),
                   count(raw.n), count(r.sample_count)
            FROM raw FULL JOIN funding_rates_%s r USING (bucket, market_id)$q$,
            CASE w WHEN '1h' THEN '1 hour' ELSE '1 day' END, w)
        INTO bad, n_raw, n_view;
        IF bad > 0 THEN
            RAISE EXCEPTION 'funding_rates_% differs from GROUP BY over raw in % of % buckets', w, bad, n_raw;
        END IF;
        mark := 'none (continuous aggregate)';
        IF to_regprocedure('public.rollup_watermark(text)') IS NOT NULL THEN
            EXECUTE 'SELECT public.rollup_watermark($1)::text' INTO mark USING 'funding_rates_' || w;
        END IF;
        RAISE NOTICE 'funding_rates_% = GROUP BY over raw: % buckets (view % rows), watermark %', w, n_raw, n_view, mark;
    END LOOP;
END
$$;
