-- Every status an application takes (its creation included) is an event row, written in the
-- same transaction as the change. Consumers (the notifier: Web Push, WhatsApp hand-off)
-- read the events after their own cursor, so none is missed across restarts.
CREATE TABLE status_events (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    status          TEXT NOT NULL,
    at              TEXT NOT NULL
);
CREATE INDEX status_events_app ON status_events(application_id);

-- How far each consumer has read status_events.
CREATE TABLE event_cursors (
    consumer  TEXT PRIMARY KEY,
    last_id   INTEGER NOT NULL
);
