-- Forwarding to OSS: leases on outbox jobs, every attempt, the circuit breaker and its
-- outages, NIBs pushed by OSS (receiveNIB), and operator tasks (assisted mode).

-- outbox.state: pending (due at next_attempt_at; leased while lease_until > now),
-- task (an operator task is open, assisted mode), done, needs_fix, cancelled.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
-- 1 when OSS may already have acted on an earlier attempt (timeout, reset, 5xx, malformed
-- answer, or a lease that expired without a result): ask OSS for the reference first.
ALTER TABLE outbox ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN last_outcome TEXT;
ALTER TABLE outbox ADD COLUMN done_at TEXT;
ALTER TABLE outbox ADD COLUMN result_json TEXT;          -- OSS's dataNIB once issued
CREATE INDEX outbox_state_created ON outbox(state, created_at);

-- One row per call of the gateway for a job (a lookup plus a send count as one attempt).
CREATE TABLE oss_attempts (
    id              INTEGER PRIMARY KEY,
    outbox_id       INTEGER NOT NULL REFERENCES outbox(id),
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    attempt         INTEGER NOT NULL,                -- 1 for the job's first attempt
    started_at      TEXT NOT NULL,                   -- UTC ISO-8601
    finished_at     TEXT NOT NULL,
    latency_ms      INTEGER NOT NULL,                -- time spent talking to OSS
    outcome         TEXT NOT NULL CHECK (outcome IN ('issued', 'rejected', 'unavailable', 'task')),
    error           TEXT,                            -- why unavailable: timeout, reset, http_503...
    detail          TEXT,
    trial           INTEGER NOT NULL DEFAULT 0,      -- the breaker's half-open trial call
    worker          TEXT NOT NULL
);
CREATE INDEX oss_attempts_app ON oss_attempts(application_id, id);
CREATE INDEX oss_attempts_started ON oss_attempts(started_at);

-- The breaker of the forwarder that wrote last (one row).
CREATE TABLE oss_breaker (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    state       TEXT NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
    since       TEXT NOT NULL,
    failures    INTEGER NOT NULL,
    worker      TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Periods OSS was out: from the first failure of the streak that opened the breaker to
-- the successful trial that closed it (ended_at NULL while it lasts).
CREATE TABLE oss_outages (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    opened_at   TEXT NOT NULL,
    ended_at    TEXT,
    reason      TEXT,
    worker      TEXT NOT NULL
);
CREATE INDEX oss_outages_started ON oss_outages(started_at);

-- NIBs OSS pushed to us (receiveNIB). Never dropped: unmatched ones wait for review.
CREATE TABLE oss_pushes (
    id              INTEGER PRIMARY KEY,
    received_at     TEXT NOT NULL,
    nib             TEXT NOT NULL,
    nik             TEXT,
    kbli_json       TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('matched', 'duplicate', 'unmatched', 'resolved')),
    application_id  INTEGER REFERENCES applications(id),
    note            TEXT,
    payload_json    TEXT NOT NULL,
    resolved_by     TEXT,
    resolved_at     TEXT
);
CREATE INDEX oss_pushes_state ON oss_pushes(state, id);
CREATE INDEX oss_pushes_nib ON oss_pushes(nib);

-- Assisted mode: an application to be keyed into the OSS portal by an operator.
CREATE TABLE oss_tasks (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    outbox_id       INTEGER NOT NULL REFERENCES outbox(id),
    state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'rejected', 'closed')),
    created_at      TEXT NOT NULL,
    claimed_by      INTEGER REFERENCES users(id),
    claimed_at      TEXT,
    claim_until     TEXT,                            -- an abandoned claim lapses
    finished_by     INTEGER REFERENCES users(id),
    finished_at     TEXT,
    nib             TEXT,
    reason          TEXT
);
CREATE UNIQUE INDEX oss_tasks_one_open ON oss_tasks(application_id) WHERE state = 'open';
CREATE INDEX oss_tasks_state ON oss_tasks(state, id);
CREATE INDEX applications_nik ON applications(nik);
