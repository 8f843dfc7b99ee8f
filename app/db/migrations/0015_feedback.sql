-- The citizen's voice: satisfaction survey responses (SKM, Permenpan-RB 14/2017) and
-- complaints/suggestions (/saran). Rules: app/domain/ikm.py, app/domain/complaints.py.

CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,            -- idempotency of the form and the kiosk queue
    body_hash TEXT NOT NULL,                   -- SHA-256 of the normalised answers
    channel TEXT NOT NULL CHECK (channel IN ('link', 'kiosk')),
    application_id INTEGER UNIQUE REFERENCES applications(id),  -- one response per application
    round_id INTEGER REFERENCES rounds(id),
    kecamatan TEXT,                            -- of the application, the round or the kiosk
    officer_id INTEGER REFERENCES users(id),   -- the kiosk's phone
    u1 INTEGER NOT NULL CHECK (u1 BETWEEN 1 AND 4),
    u2 INTEGER NOT NULL CHECK (u2 BETWEEN 1 AND 4),
    u3 INTEGER NOT NULL CHECK (u3 BETWEEN 1 AND 4),
    u4 INTEGER NOT NULL CHECK (u4 BETWEEN 1 AND 4),
    u5 INTEGER NOT NULL CHECK (u5 BETWEEN 1 AND 4),
    u6 INTEGER NOT NULL CHECK (u6 BETWEEN 1 AND 4),
    u7 INTEGER NOT NULL CHECK (u7 BETWEEN 1 AND 4),
    u8 INTEGER NOT NULL CHECK (u8 BETWEEN 1 AND 4),
    u9 INTEGER NOT NULL CHECK (u9 BETWEEN 1 AND 4),
    gender TEXT,
    age_group TEXT,
    education TEXT,
    occupation TEXT,
    day TEXT NOT NULL,                         -- WIB date answered, YYYY-MM-DD (periods)
    created_at TEXT NOT NULL
);
CREATE INDEX survey_responses_day ON survey_responses (day);
CREATE INDEX survey_responses_round ON survey_responses (round_id);

CREATE TABLE complaints (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,                 -- reference code (tracking-code alphabet)
    client_id TEXT NOT NULL UNIQUE,            -- idempotency of the public form
    category TEXT NOT NULL
        CHECK (category IN ('pelayanan', 'petugas', 'oss', 'jadwal', 'lainnya')),
    round_id INTEGER REFERENCES rounds(id),
    text TEXT NOT NULL,
    name TEXT,
    phone TEXT,                                -- 62…, NULL when anonymous
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'in_progress', 'answered', 'closed')),
    assigned_to INTEGER REFERENCES users(id),
    reply TEXT,                                -- the office's public reply
    replied_at TEXT,
    replied_by TEXT,
    lapor_number TEXT,                         -- SP4N-LAPOR! tracking number when forwarded
    received_day TEXT NOT NULL,                -- WIB date, for the 5-working-day clock
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX complaints_status ON complaints (status, created_at);
CREATE INDEX complaints_phone ON complaints (phone, created_at);
