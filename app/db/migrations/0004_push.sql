-- Web Push (docs/notify.md): subscriptions, who each one is for, a durable send queue,
-- WhatsApp hand-offs and admin-editable settings (the WhatsApp message template).

-- One row per browser push endpoint (UNIQUE): the keys to encrypt for it and its health.
CREATE TABLE push_subscriptions (
    id               INTEGER PRIMARY KEY,
    endpoint         TEXT NOT NULL UNIQUE,
    p256dh           TEXT NOT NULL,
    auth             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    last_success_at  TEXT,
    last_failure_at  TEXT,
    failures         INTEGER NOT NULL DEFAULT 0   -- consecutive failed sends
);

-- Who a subscription is for: an officer (user_id) or one application (a citizen).
-- A phone may follow several applications, or be both an officer's and a citizen's.
CREATE TABLE push_links (
    id               INTEGER PRIMARY KEY,
    subscription_id  INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    user_id          INTEGER REFERENCES users(id) ON DELETE CASCADE,
    application_id   INTEGER REFERENCES applications(id),
    created_at       TEXT NOT NULL,
    CHECK ((user_id IS NULL) <> (application_id IS NULL))
);
CREATE UNIQUE INDEX push_links_user ON push_links(subscription_id, user_id)
    WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX push_links_app ON push_links(subscription_id, application_id)
    WHERE application_id IS NOT NULL;
CREATE INDEX push_links_by_user ON push_links(user_id);
CREATE INDEX push_links_by_app ON push_links(application_id);

-- The durable queue: one job per (subscription, status event); survives restarts.
-- state: pending (due at next_attempt_at) | done | failed (gave up or refused)
CREATE TABLE push_jobs (
    id               INTEGER PRIMARY KEY,
    subscription_id  INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    event_id         INTEGER NOT NULL,
    payload          TEXT NOT NULL,             -- JSON: title, body, url, tag (no NIK/name)
    urgency          TEXT NOT NULL DEFAULT 'normal',
    state            TEXT NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  REAL NOT NULL,             -- unix seconds
    last_status      INTEGER,                   -- HTTP status of the last try (0: network)
    created_at       TEXT NOT NULL,
    finished_at      TEXT,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX push_jobs_due ON push_jobs(state, next_attempt_at);
CREATE INDEX push_jobs_sub ON push_jobs(subscription_id, state, id);

-- The push consumer starts at the events already present: no burst of old news.
INSERT OR IGNORE INTO event_cursors (consumer, last_id)
    SELECT 'push', coalesce(max(id), 0) FROM status_events;

-- "Tandai terkirim lewat WhatsApp": who told the applicant, when.
CREATE TABLE whatsapp_handoffs (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    actor           TEXT NOT NULL,
    at              TEXT NOT NULL
);
CREATE INDEX whatsapp_handoffs_app ON whatsapp_handoffs(application_id);

-- Settings an admin changes in the app (key -> text).
CREATE TABLE app_settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);
