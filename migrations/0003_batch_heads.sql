-- A batch's head (its record without the recipient lists) kept beside the record, cut
-- once when the record is written: lists, estimates and every call start read the heads
-- of many batches, and cutting 10,000-recipient documents at each read made a call start
-- slower with every batch on record.
ALTER TABLE batches ADD COLUMN head text;
UPDATE batches SET head = (doc::jsonb - 'recipients' - 'skipped')::text;
ALTER TABLE batches ALTER COLUMN head SET NOT NULL;
