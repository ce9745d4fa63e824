-- File transfers: bytes put on the wire (resends included), the receiver's
-- part file, and per-contact acceptance rules.

ALTER TABLE transfers ADD COLUMN bytes_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transfers ADD COLUMN part_path TEXT;

-- Offers from this contact are accepted without asking when not larger than
-- auto_accept_max_bytes (NULL: never auto-accept, the default).
ALTER TABLE contacts ADD COLUMN auto_accept_max_bytes INTEGER;
-- Offers larger than this are refused (NULL: no limit).
ALTER TABLE contacts ADD COLUMN max_file_bytes INTEGER;
