-- When a call was last seen going on: a node that stops in the middle of a call (killed,
-- power lost) ends it at that moment when it starts again, not at the restart.
ALTER TABLE calls ADD COLUMN alive_at INTEGER;
