-- Abuse limits of the public pages kept across restarts (app/services/limits.py): one row
-- per limit and key, the count of attempts in the key's current window. The key (a tracking
-- code, a client address, ...) is kept only as an HMAC keyed with a key derived from the
-- app's secret: no phone number or address in clear. A row is dead once its window closed
-- (expires_at) and is deleted by the next write.
CREATE TABLE rate_hits (
    bucket        TEXT NOT NULL,     -- the limit: lookup_code, lookup_client, form_client, ...
    key_hash      TEXT NOT NULL,     -- HMAC-SHA256 (hex, 32 characters) of the key
    window_start  REAL NOT NULL,     -- unix seconds: the window's first attempt
    count         INTEGER NOT NULL,  -- attempts counted in the window
    expires_at    REAL NOT NULL,     -- unix seconds: the window closes
    PRIMARY KEY (bucket, key_hash)
) WITHOUT ROWID;

CREATE INDEX rate_hits_expiry ON rate_hits (expires_at);
