-- 0056 authenticated cycle notifications.
--
-- PostgreSQL cannot restrict NOTIFY by grant: any role that can connect may NOTIFY fundingd_cycle with any text.
-- So every genuine notification is first written to cycle_notices, which only the owner's SECURITY DEFINER write
-- path can insert into, and the payload carries that row's id. API processes (CycleListener) parse the payload
-- strictly, look the id up on the same (primary) connection and act only on the stored row; an id they have
-- already acted on is ignored, so a replayed id does nothing either. An id rather than an HMAC: no secret has to
-- be distributed to the API processes (they already read the database), and nothing can be forged without INSERT
-- on this table, which no login role other than the owner holds.

CREATE TABLE cycle_notices (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sent_at timestamptz NOT NULL DEFAULT now(),
    payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object')
);

COMMENT ON TABLE cycle_notices IS
    'Every genuine NOTIFY fundingd_cycle, as sent: the notification''s payload carries this row''s id, and listeners act only on ids found here (anyone may NOTIFY; only the owner''s write path inserts here). The newest 10,000 rows are kept.';
COMMENT ON COLUMN cycle_notices.id IS 'Notice id, the "id" field of the notification payload (increasing).';
COMMENT ON COLUMN cycle_notices.sent_at IS 'When the notice was written (transaction time of the writing cycle or fee change).';
COMMENT ON COLUMN cycle_notices.payload IS 'The notification payload without its id: a cycle summary (no "event" key) or {"event": "fees", "dexes": [...]}.';

-- The one way to announce a change on fundingd_cycle. Keeps the table small by id range (index-only delete).
CREATE FUNCTION notify_cycle(p_payload jsonb) RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO public.cycle_notices (payload) VALUES (p_payload) RETURNING id INTO v_id;
    DELETE FROM public.cycle_notices WHERE id <= v_id - 10000;
    PERFORM pg_notify('fundingd_cycle', (jsonb_build_object('id', v_id) || p_payload)::text);
    RETURN v_id;
END
$$;

COMMENT ON FUNCTION notify_cycle(jsonb) IS
    'Write path, internal: record p_payload in cycle_notices and NOTIFY fundingd_cycle with it plus {"id": notice id}; returns the id. Called by ingest_apply() and the fee-change trigger; executable by nobody else.';
REVOKE ALL ON FUNCTION notify_cycle(jsonb) FROM PUBLIC;

-- The fee-change trigger of 0042 now announces through notify_cycle() too. SECURITY DEFINER: whoever may update
-- dexes (the owner, set_dex_fees) announces with the owner's right to insert the notice.
CREATE OR REPLACE FUNCTION dexes_notify_fee_change() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    PERFORM public.notify_cycle(jsonb_build_object('event', 'fees', 'dexes', jsonb_build_array(NEW.name)));
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION dexes_notify_fee_change() IS
    'Trigger of dexes: announce {"event": "fees", "dexes": [name]} through notify_cycle() when a dex''s maker_fee, taker_fee or fee_tiers change, so API processes drop cached responses and re-push opportunities.';
REVOKE ALL ON FUNCTION dexes_notify_fee_change() FROM PUBLIC;

-- What a listener needs about a notice it heard: the stored payload with its id (NULL when no such notice), and
-- the primary's current WAL position, which is past the notifying commit (notifications are delivered after
-- commit), so a reader on a hot standby can wait until it has replayed that far (replica_caught_up, 0060).
CREATE FUNCTION cycle_notice(p_id bigint, OUT payload text, OUT primary_lsn text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT (SELECT (jsonb_build_object('id', n.id) || n.payload)::text FROM public.cycle_notices n WHERE n.id = p_id),
           pg_current_wal_lsn()::text
$$;

COMMENT ON FUNCTION cycle_notice(bigint) IS
    'Listener side of notify_cycle(): the stored notice p_id as JSON text with its "id" (payload NULL when there is no such notice: the notification was forged or is too old), and primary_lsn, the primary''s WAL position (past the notifying commit). Call on the primary.';
