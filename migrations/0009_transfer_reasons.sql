-- Why a transfer is paused or failed, as typed values: who may resume a transfer is
-- decided from pause_reason, never from the words in `error` (kept for people).

-- 'by-sender', 'by-receiver' or 'disk-full'; set only while state = 'paused'.
ALTER TABLE transfers ADD COLUMN pause_reason TEXT
    CHECK (pause_reason IN ('by-sender', 'by-receiver', 'disk-full'));
-- Set only while state = 'failed'.
ALTER TABLE transfers ADD COLUMN failure_reason TEXT
    CHECK (failure_reason IN ('source-changed', 'source-unreadable', 'peer-could-not-verify',
                              'write-failed', 'hash-mismatch', 'finish-failed', 'other'));

-- Older builds stored a receiver's full disk as 'failed' and still let it be resumed:
-- it is a pause.
UPDATE transfers SET state = 'paused'
    WHERE state = 'failed' AND direction = 'in' AND error LIKE '%disk is full%';

-- Pauses, from the words the older builds stored.
UPDATE transfers SET pause_reason = CASE
        WHEN direction = 'out' AND error = 'paused by the receiver' THEN 'by-receiver'
        WHEN direction = 'out' THEN 'by-sender'
        WHEN error LIKE '%disk is full%' THEN 'disk-full'
        ELSE 'by-receiver'
    END
    WHERE state = 'paused';

-- Failures likewise; what cannot be told apart is 'other'.
UPDATE transfers SET failure_reason = CASE
        WHEN error LIKE 'the received data does not match the offered SHA-256%' THEN 'hash-mismatch'
        WHEN error LIKE '%changed after it was offered%' THEN 'source-changed'
        WHEN error LIKE 'the receiver could not verify the file:%' THEN 'peer-could-not-verify'
        WHEN direction = 'out' AND (error LIKE 'cannot read %' OR error LIKE '% is not a regular file') THEN 'source-unreadable'
        WHEN direction = 'in' AND error LIKE 'cannot write %' THEN 'write-failed'
        ELSE 'other'
    END
    WHERE state = 'failed';
