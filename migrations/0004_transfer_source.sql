-- What the sent file looked like when it was offered (size, modification time
-- and inode as "size:mtime_ns:inode"), so a file changed under a transfer fails
-- it with a reason instead of sending bytes that no longer match the hash.
ALTER TABLE transfers ADD COLUMN source_signature TEXT;
