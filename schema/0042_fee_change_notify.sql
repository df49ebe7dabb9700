-- A fee change reaches every API process the way an ingest cycle does: through NOTIFY fundingd_cycle, which drops
-- the processes' response caches and lets the opportunity streams push the rows whose net profit moved. The
-- payload carries "event": "fees" so listeners can tell it from a cycle summary (which has no "event" key).
-- A trigger rather than a line in set_dex_fees(), so a fee changed by hand in psql is announced too.

CREATE FUNCTION dexes_notify_fee_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    PERFORM pg_notify('fundingd_cycle', jsonb_build_object('event', 'fees', 'dexes', jsonb_build_array(NEW.name))::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER dexes_fee_change_notify
AFTER UPDATE OF maker_fee, taker_fee, fee_tiers ON dexes
FOR EACH ROW
WHEN (OLD.maker_fee IS DISTINCT FROM NEW.maker_fee OR OLD.taker_fee IS DISTINCT FROM NEW.taker_fee
      OR OLD.fee_tiers IS DISTINCT FROM NEW.fee_tiers)
EXECUTE FUNCTION dexes_notify_fee_change();

COMMENT ON FUNCTION dexes_notify_fee_change() IS
    'Trigger of dexes: NOTIFY fundingd_cycle with {"event": "fees", "dexes": [name]} when a dex''s maker_fee, taker_fee or fee_tiers change, so API processes drop cached responses and re-push opportunities.';
