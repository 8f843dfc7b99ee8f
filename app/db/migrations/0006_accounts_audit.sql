-- migrate: foreign_keys=off
-- Accounts hardening (issue 9): more roles, login throttling that survives a restart,
-- notices of failed logins for the account owner, and the append-only audit log.

-- The role CHECK grows, so users is rebuilt the way SQLite documents (create, copy, drop,
-- rename) with foreign keys off: the other tables' REFERENCES users(id) then name the new
-- table, and nothing cascades to sessions or push subscriptions.
CREATE TABLE users_new (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name      TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL
                   CHECK (role IN ('officer', 'admin', 'oss_operator', 'mitra', 'dpo')),
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    last_login_at  TEXT,                        -- UTC ISO-8601
    failed_count   INTEGER NOT NULL DEFAULT 0,  -- failed logins since the last successful one
    failed_since   TEXT,                        -- the first of them
    failed_locks   INTEGER NOT NULL DEFAULT 0,  -- lockouts since the last successful login
    lockouts       INTEGER NOT NULL DEFAULT 0   -- lockouts ever
);
INSERT INTO users_new (id, username, full_name, password_hash, role, active, created_at)
    SELECT id, username, full_name, password_hash, role, active, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- Failed-login buckets, one per account and one per client. The key is a SHA-256: a name
-- typed into the login form (sometimes a password) is not kept.
CREATE TABLE login_throttle (
    scope         TEXT NOT NULL CHECK (scope IN ('account', 'client')),
    key_hash      TEXT NOT NULL,
    failures      INTEGER NOT NULL,   -- failures in the current window
    window_start  REAL NOT NULL,      -- unix seconds
    locked_until  REAL NOT NULL,      -- 0: not locked
    lockouts      INTEGER NOT NULL,   -- lockouts in a row: each doubles the next
    last_failure  REAL NOT NULL,
    PRIMARY KEY (scope, key_hash)
) WITHOUT ROWID;

-- Shown to the account owner after a successful login that followed failed ones.
CREATE TABLE login_notices (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    failures    INTEGER NOT NULL,
    since       TEXT NOT NULL,
    lockouts    INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    seen_at     TEXT
);
CREATE INDEX login_notices_unseen ON login_notices(user_id) WHERE seen_at IS NULL;

-- Who did what, when, from where. Append-only; detail never holds personal data.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,       -- UTC ISO-8601
    user_id      INTEGER,             -- who; NULL for an anonymous visitor or the command line
    username     TEXT,                -- who, as named at the time
    action       TEXT NOT NULL,
    target_type  TEXT,
    target_id    TEXT,
    route        TEXT,                -- the page or command
    client       TEXT,                -- the client address
    detail       TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_action ON audit_log(action, at);
CREATE INDEX audit_log_user ON audit_log(user_id, at);
CREATE INDEX audit_log_target ON audit_log(target_type, target_id, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
