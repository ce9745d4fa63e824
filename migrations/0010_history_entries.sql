-- Files in the conversation timeline, and contacts removed with their history kept.

-- A contact removed with `--keep-history` keeps its row (and so its conversation, transfers
-- and call log) but is no contact any more: not listed, not dialled, its links refused like
-- a stranger's. NULL: a contact. Adding the ID again clears it.
ALTER TABLE contacts ADD COLUMN removed_at INTEGER;

-- One contact's transfers within a span of time (a page of its conversation), by time.
CREATE INDEX transfers_by_contact ON transfers(contact, created_at);
