-- Parley schema, version 1. Shipped migrations are never edited: add a new file.
-- Times are integer milliseconds since the Unix epoch (UTC).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    contact_id TEXT    NOT NULL UNIQUE CHECK (length(contact_id) = 36),
    name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    trust      TEXT    NOT NULL DEFAULT 'unverified'
                       CHECK (trust IN ('unverified', 'verified', 'blocked')),
    created_at INTEGER NOT NULL,
    last_seen  INTEGER
);

CREATE TABLE contact_addresses (
    contact    INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    address    TEXT    NOT NULL,
    source     TEXT    NOT NULL CHECK (source IN ('manual', 'learned')),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (contact, address)
) WITHOUT ROWID;

CREATE TABLE contact_requests (
    id           INTEGER PRIMARY KEY,
    peer_id      TEXT    NOT NULL UNIQUE CHECK (length(peer_id) = 36),
    display_name TEXT    NOT NULL,
    note         TEXT    NOT NULL DEFAULT '',
    address      TEXT,
    received_at  INTEGER NOT NULL
);

CREATE TABLE conversations (
    id           INTEGER PRIMARY KEY,
    contact      INTEGER NOT NULL UNIQUE REFERENCES contacts(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL
);

-- Rows are in arrival order: for incoming messages that is the sender's
-- sending order (one ordered link, re-sends oldest first).
CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT    NOT NULL UNIQUE,
    conversation INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    direction    TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    body         TEXT    NOT NULL,
    sent_at      INTEGER NOT NULL,
    received_at  INTEGER,
    read_at      INTEGER,
    state        TEXT    NOT NULL
                         CHECK (state IN ('queued', 'sent', 'delivered', 'read', 'failed'))
);
CREATE INDEX messages_by_conversation ON messages(conversation, id);
CREATE INDEX messages_pending ON messages(state) WHERE state IN ('queued', 'sent');

-- Full-text index over message bodies, kept in sync by the triggers below.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    body,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;

-- File transfers in both directions; the receiver's progress is durable so
-- a transfer resumes after a dropped link or a restart.
CREATE TABLE transfers (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT    NOT NULL UNIQUE,
    contact     INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    direction   TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    file_name   TEXT    NOT NULL,
    local_path  TEXT,
    size        INTEGER NOT NULL CHECK (size >= 0),
    sha256      TEXT    NOT NULL,
    mime_type   TEXT,
    bytes_done  INTEGER NOT NULL DEFAULT 0,
    state       TEXT    NOT NULL
                        CHECK (state IN ('offered', 'accepted', 'active', 'paused',
                                         'completed', 'failed', 'rejected', 'cancelled')),
    error       TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX transfers_by_state ON transfers(state);

-- Calls, answered or not.
CREATE TABLE calls (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT    NOT NULL UNIQUE,
    contact     INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    direction   TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    kind        TEXT    NOT NULL CHECK (kind IN ('audio', 'video')),
    started_at  INTEGER NOT NULL,
    answered_at INTEGER,
    ended_at    INTEGER,
    outcome     TEXT    CHECK (outcome IN ('answered', 'missed', 'rejected', 'cancelled', 'failed')),
    end_reason  TEXT
);
CREATE INDEX calls_by_contact ON calls(contact, started_at);
