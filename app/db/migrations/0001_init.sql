-- Accounts, sessions, applications with their history, and the OSS outbox.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name     TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('officer', 'admin')),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

-- Server-side sessions. The cookie carries a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  REAL NOT NULL,
    last_seen   REAL NOT NULL,
    expires_at  REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE applications (
    id              INTEGER PRIMARY KEY,
    client_id       TEXT NOT NULL UNIQUE,          -- the Idempotency-Key, kept for ever
    request_hash    TEXT NOT NULL,                 -- SHA-256 of the canonical input
    response_json   TEXT NOT NULL,                 -- the answer given the first time
    tracking_code   TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL,
    status_reason   TEXT,
    officer_id      INTEGER REFERENCES users(id),
    nik             TEXT NOT NULL,
    name            TEXT NOT NULL,
    sex             TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    phone           TEXT NOT NULL,
    email           TEXT,
    npwp            TEXT,
    business_name   TEXT NOT NULL,
    kecamatan       TEXT NOT NULL,
    desa            TEXT NOT NULL,
    rt              TEXT NOT NULL,
    rw              TEXT NOT NULL,
    street          TEXT NOT NULL,
    kbli_json       TEXT NOT NULL,                 -- JSON array of 5-digit codes (text)
    capital         INTEGER NOT NULL,
    workers_male    INTEGER NOT NULL,
    workers_female  INTEGER NOT NULL,
    scale           TEXT NOT NULL,
    nib             TEXT,
    created_at      TEXT NOT NULL,                 -- UTC ISO-8601
    created_day     TEXT NOT NULL,                 -- local (Asia/Jakarta) date, for "today"
    updated_at      TEXT NOT NULL
);
CREATE INDEX applications_officer_day ON applications(officer_id, created_day);
CREATE INDEX applications_status ON applications(status);

-- Append-only: every status an application has had, with who, when and why.
CREATE TABLE application_history (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    status          TEXT NOT NULL,
    actor           TEXT NOT NULL,
    reason          TEXT,
    at              TEXT NOT NULL
);
CREATE INDEX application_history_app ON application_history(application_id, id);
CREATE TRIGGER application_history_no_update BEFORE UPDATE ON application_history
BEGIN SELECT RAISE(ABORT, 'application_history is append-only'); END;
CREATE TRIGGER application_history_no_delete BEFORE DELETE ON application_history
BEGIN SELECT RAISE(ABORT, 'application_history is append-only'); END;

-- Jobs for OSS, written in the same transaction as the application.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL UNIQUE REFERENCES applications(id),
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
