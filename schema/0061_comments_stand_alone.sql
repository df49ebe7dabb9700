-- 0061 object comments that stand alone: the comment of opportunities() (0012) pointed at a design note users do
-- not have; it now points at docs/units.md "Opportunity arithmetic" (the same arithmetic). 0012 was corrected too,
-- so on a fresh database this finds nothing to change.

DO $$
DECLARE
    c record;
BEGIN
    FOR c IN
        SELECT d.description, o.type, o.identity
        FROM pg_description d
        CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
        WHERE d.description ~ '\(\w+\.md "Opportunity arithmetic"\)'
          AND o.schema = 'public' AND o.type IN ('function', 'view')
    LOOP
        EXECUTE format('COMMENT ON %s %s IS %L', upper(c.type), c.identity,
                       regexp_replace(c.description, '\(\w+\.md "Opportunity arithmetic"\)',
                                      '(docs/units.md "Opportunity arithmetic")', 'g'));
    END LOOP;
END
$$;
