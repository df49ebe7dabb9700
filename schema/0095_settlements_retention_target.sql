-- 0095 funding_settlements keeps its retention after 0091.
--
-- 0080 (settled funding) replaced apply_retention() to drop old funding_settlements chunks; 0091 (trade flow)
-- replaced it again from 0014's body plus the retention_targets table, so from 0091 on the settlement line was gone.
-- Registering the table as a retention target restores it without a third copy of the procedure.
INSERT INTO retention_targets (relation, setting) VALUES ('public.funding_settlements', 'settlements_retention')
ON CONFLICT (relation) DO NOTHING;
