-- The public schedule (docs/schedule.md): phones following a kecamatan's rounds, what each
-- round looked like when first published (to say "Jadwal berubah"), what subscribers were
-- last told about a round, and the reminders and change notices sent.

-- push_links gains a third kind of owner: a kecamatan (a citizen's phone, no login, no
-- personal data). Rebuilt because its CHECK allowed only an officer or an application.
-- Nothing refers to push_links, so the rebuild keeps every row and id as they are.
CREATE TABLE push_links_new (
    id               INTEGER PRIMARY KEY,
    subscription_id  INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    user_id          INTEGER REFERENCES users(id) ON DELETE CASCADE,
    application_id   INTEGER REFERENCES applications(id),
    kecamatan        TEXT,
    created_at       TEXT NOT NULL,
    client_key       TEXT,   -- 0007: a keyed hash of the client that made the link
    CHECK ((user_id IS NOT NULL) + (application_id IS NOT NULL) + (kecamatan IS NOT NULL) = 1)
);
INSERT INTO push_links_new (id, subscription_id, user_id, application_id, created_at,
                            client_key)
    SELECT id, subscription_id, user_id, application_id, created_at, client_key
    FROM push_links;
DROP TABLE push_links;
ALTER TABLE push_links_new RENAME TO push_links;
CREATE UNIQUE INDEX push_links_user ON push_links(subscription_id, user_id)
    WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX push_links_app ON push_links(subscription_id, application_id)
    WHERE application_id IS NOT NULL;
CREATE UNIQUE INDEX push_links_kecamatan_sub ON push_links(subscription_id, kecamatan)
    WHERE kecamatan IS NOT NULL;
CREATE INDEX push_links_by_user ON push_links(user_id);
CREATE INDEX push_links_by_app ON push_links(application_id);
CREATE INDEX push_links_by_kecamatan ON push_links(kecamatan) WHERE kecamatan IS NOT NULL;
CREATE INDEX push_links_by_client ON push_links(client_key, created_at)
    WHERE client_key IS NOT NULL;

-- A round's time and place when it was first published: a published round that differs
-- from this has moved, and its page says so. Kept by triggers, whoever publishes.
CREATE TABLE round_first_published (
    round_id   INTEGER PRIMARY KEY REFERENCES rounds(id) ON DELETE CASCADE,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    place      TEXT NOT NULL
);
INSERT INTO round_first_published (round_id, starts_at, ends_at, place)
    SELECT id, starts_at, ends_at, place FROM rounds WHERE status <> 'draft';
CREATE TRIGGER rounds_first_published_insert AFTER INSERT ON rounds
    WHEN NEW.status = 'published'
BEGIN
    INSERT OR IGNORE INTO round_first_published (round_id, starts_at, ends_at, place)
        VALUES (NEW.id, NEW.starts_at, NEW.ends_at, NEW.place);
END;
CREATE TRIGGER rounds_first_published_update AFTER UPDATE OF status ON rounds
    WHEN NEW.status = 'published' AND OLD.status = 'draft'
BEGIN
    INSERT OR IGNORE INTO round_first_published (round_id, starts_at, ends_at, place)
        VALUES (NEW.id, NEW.starts_at, NEW.ends_at, NEW.place);
END;

-- What the kecamatan's subscribers last heard or saw of a round; the reminder job compares
-- the round with it to tell them about a move or a cancellation once.
CREATE TABLE round_announced (
    round_id   INTEGER PRIMARY KEY REFERENCES rounds(id) ON DELETE CASCADE,
    sequence   INTEGER NOT NULL,
    status     TEXT NOT NULL,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    place      TEXT NOT NULL,
    at         TEXT NOT NULL
);

-- Reminders and change notices. push_jobs made for a notice carry
-- event_id = -(2^40 + notice id) (status events are positive, round history messages
-- -history id), so the queue's UNIQUE (subscription, event) makes the fan-out idempotent.
CREATE TABLE round_notices (
    id           INTEGER PRIMARY KEY,
    round_id     INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('reminder', 'moved', 'cancelled')),
    key          TEXT NOT NULL,   -- reminder: the round's date; change: the round's sequence
    kecamatan    TEXT NOT NULL,
    recipients   INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (round_id, kind, key)
);
