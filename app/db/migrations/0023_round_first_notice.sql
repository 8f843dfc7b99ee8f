-- A kecamatan's followers hear of a new round when it is first published (the reminder
-- job, docs/schedule.md): round_notices gains the kind 'published' (key 'first', so the
-- UNIQUE (round_id, kind, key) holds it to one per round). Rebuilt because of its CHECK;
-- nothing refers to round_notices (push_jobs carry -(2^40 + id) as a number, not a
-- foreign key), so every row and id is kept as it is.
CREATE TABLE round_notices_new (
    id           INTEGER PRIMARY KEY,
    round_id     INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL
                 CHECK (kind IN ('published', 'reminder', 'moved', 'cancelled')),
    key          TEXT NOT NULL,   -- published: 'first'; reminder: the round's date;
                                  -- change: the round's sequence
    kecamatan    TEXT NOT NULL,
    recipients   INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (round_id, kind, key)
);
INSERT INTO round_notices_new (id, round_id, kind, key, kecamatan, recipients, created_at)
    SELECT id, round_id, kind, key, kecamatan, recipients, created_at FROM round_notices;
DROP TABLE round_notices;
ALTER TABLE round_notices_new RENAME TO round_notices;
