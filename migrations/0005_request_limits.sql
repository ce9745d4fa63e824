-- The contact-request limiter's token buckets (per source address and per
-- claimed contact ID), kept across restarts so a restart does not reset them.
CREATE TABLE request_limits (
    key         TEXT    PRIMARY KEY,
    tokens      REAL    NOT NULL,
    updated_at  INTEGER NOT NULL
);
