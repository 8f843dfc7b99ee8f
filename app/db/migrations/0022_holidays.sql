-- The office's holiday list (/admin/libur): national holidays, "cuti bersama" and regional
-- holidays, entered by an admin from the year's SKB (Surat Keputusan Bersama); nothing is
-- seeded. The complaints' 5-working-day clock skips these days and the round form warns
-- when a round falls on one. Rules: app/domain/holidays.py.

CREATE TABLE holidays (
    id INTEGER PRIMARY KEY,
    date TEXT NOT NULL UNIQUE,                 -- YYYY-MM-DD
    name TEXT NOT NULL,                        -- e.g. "Idulfitri 1448 H"
    kind TEXT NOT NULL CHECK (kind IN ('nasional', 'cuti_bersama', 'daerah')),
    created_by TEXT NOT NULL,                  -- the admin's username
    created_at TEXT NOT NULL
);
