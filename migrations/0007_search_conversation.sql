-- A contact-filtered search is part of the full-text query: the index gets a
-- second column, the message's conversation (its row id, one token), so
-- `conversation : "N" AND {body} : (…)` lets FTS5 intersect the two lists
-- newest-first, skipping ahead in each, instead of reading every other
-- conversation's matches and dropping them after the join. The column is
-- read from messages.conversation (external content), so the index is
-- rebuilt from the messages; searches put the person's words behind a
-- `{body}` filter, and snippets and highlights read column 0 (body) only.
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
DROP TABLE messages_fts;

CREATE VIRTUAL TABLE messages_fts USING fts5(
    body,
    conversation,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, body, conversation) VALUES (new.id, new.body, new.conversation);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body, conversation)
    VALUES ('delete', old.id, old.body, old.conversation);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, conversation ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body, conversation)
    VALUES ('delete', old.id, old.body, old.conversation);
    INSERT INTO messages_fts(rowid, body, conversation) VALUES (new.id, new.body, new.conversation);
END;
