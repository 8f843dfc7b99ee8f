-- A kecamatan's followers hear of a new round when it is first published (the reminder
-- job, docs/schedule.md): round_notices gains the kind 'published' (key 'first', so the
-- UNIQUE (round_id, kind, key) holds it to one per round). Rebuilt because of its CHECK;
-- nothing refers to round_notices (push_jobs carry -(2^40 + id) as a number, not a
-- foreign key), so every row and id is kept as it is. AUTOINCREMENT: an id is never used
-- twice (a reused one would make the new notice's push collide with the old one's and be
-- dropped by push_jobs' UNIQUE (subscription_id, event_id)); the sequence starts above
-- every id a push job has carried.
CREATE TABLE round_notices_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
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
-- The highest notice id any push job carried (deleted notices included).
CREATE TEMP TABLE notice_ids_used AS
    SELECT max(coalesce((SELECT max(id) FROM round_notices), 0),
               coalesce((SELECT max(-event_id - 1099511627776) FROM push_jobs
                         WHERE event_id <= -1099511627776), 0)) AS seq;
UPDATE sqlite_sequence SET seq = max(seq, (SELECT seq FROM notice_ids_used))
    WHERE name = 'round_notices';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'round_notices', seq FROM notice_ids_used
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'round_notices');
DROP TABLE notice_ids_used;
