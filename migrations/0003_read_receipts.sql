-- Read receipts not yet sent (the link was down when the user read the
-- message): sent when the next link to the contact comes up.

ALTER TABLE messages ADD COLUMN read_receipt_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_read_receipt_pending ON messages(conversation) WHERE read_receipt_pending = 1;
