-- Device credentials (issue 10): a phone made at login can still send its queued
-- applications for that officer after the session ended (idle limit, a crash, a day
-- without signal). The token itself lives only in the phone's IndexedDB; here only its
-- SHA-256. Usable for POST /api/applications[/batch] and nothing else.
CREATE TABLE device_credentials (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_hash  TEXT NOT NULL,        -- the login session that made it
    created_at    TEXT NOT NULL,        -- UTC ISO-8601, like expires_at and the others
    expires_at    TEXT NOT NULL,
    revoked_at    TEXT,
    revoked_why   TEXT,                 -- logout, admin, password, role, disabled, replaced
    last_used_at  TEXT
);
CREATE INDEX device_credentials_user ON device_credentials(user_id);
CREATE INDEX device_credentials_session ON device_credentials(session_hash);
