-- The car's rounds (sesi layanan keliling): cars, partner agencies, rounds with their
-- officers, agencies and history, officers' leave, invitations from villages, and the round
-- an application was taken at. Rules: app/domain/rounds.py.

CREATE TABLE cars (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    plate TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
INSERT INTO cars (name, plate) VALUES ('Mobil Layanan Keliling 1', NULL);

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
-- The partner agencies at the table (../shared/SERVICES.md).
INSERT INTO agencies (code, name, short_name) VALUES
    ('pupr', 'Dinas Pekerjaan Umum dan Penataan Ruang', 'Dinas PUPR'),
    ('dlh', 'Dinas Lingkungan Hidup', 'DLH'),
    ('dinkopum', 'Dinas Koperasi dan Usaha Mikro', 'Dinas Koperasi dan UM'),
    ('disperindag', 'Dinas Perindustrian dan Perdagangan', 'Disperindag'),
    ('dinkes', 'Dinas Kesehatan', 'Dinas Kesehatan'),
    ('kpp', 'KPP Pratama Blitar', 'KPP Pratama'),
    ('bpjs_kes', 'BPJS Kesehatan', 'BPJS Kesehatan'),
    ('bpjs_tk', 'BPJS Ketenagakerjaan', 'BPJS Ketenagakerjaan'),
    ('kemenag', 'Kementerian Agama (Satgas Halal)', 'Kemenag / Halal');

CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,                 -- WIB date of the start, YYYY-MM-DD
    start_time TEXT NOT NULL,          -- HH:MM WIB
    end_time TEXT NOT NULL,            -- HH:MM WIB; at or before start_time: the next day
    starts_at TEXT NOT NULL,           -- UTC ISO, for overlap and "upcoming" queries
    ends_at TEXT NOT NULL,
    evening INTEGER NOT NULL CHECK (evening IN (0, 1)),
    kecamatan TEXT NOT NULL,
    desa TEXT,
    place TEXT NOT NULL,
    lat REAL,
    lng REAL,
    car_id INTEGER NOT NULL REFERENCES cars(id),
    quota INTEGER,
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'published', 'done', 'cancelled')),
    cancel_reason TEXT,
    sequence INTEGER NOT NULL DEFAULT 0,   -- iCalendar SEQUENCE: raised on every change
    draw_seed INTEGER,                     -- the seed of the last officer draw
    invitation_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX rounds_starts ON rounds (starts_at);
CREATE INDEX rounds_kecamatan ON rounds (kecamatan, starts_at);
CREATE INDEX rounds_car ON rounds (car_id, starts_at);

CREATE TABLE round_agencies (
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    PRIMARY KEY (round_id, agency_id)
) WITHOUT ROWID;

CREATE TABLE round_officers (
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    assigned_at TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    how TEXT NOT NULL CHECK (how IN ('draw', 'swap', 'manual')),
    reason TEXT,
    PRIMARY KEY (round_id, user_id)
) WITHOUT ROWID;
CREATE INDEX round_officers_user ON round_officers (user_id);

CREATE TABLE round_history (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX round_history_round ON round_history (round_id, id);

CREATE TABLE officer_leave (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    CHECK (last_day >= first_day)
);
CREATE INDEX officer_leave_user ON officer_leave (user_id, first_day);

ALTER TABLE users ADD COLUMN section TEXT;

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,             -- reference code given to the requester
    client_id TEXT NOT NULL UNIQUE,        -- idempotency of the public form
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation TEXT NOT NULL,
    phone TEXT NOT NULL,
    kecamatan TEXT NOT NULL,
    desa TEXT,
    place TEXT NOT NULL,
    dates_json TEXT NOT NULL,              -- 1 to 3 preferred dates
    evening INTEGER NOT NULL CHECK (evening IN (0, 1)),
    expected INTEGER,
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'accepted', 'proposed', 'declined')),
    reply TEXT,
    proposed_day TEXT,
    round_id INTEGER REFERENCES rounds(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX invitations_status ON invitations (status, created_at);

ALTER TABLE applications ADD COLUMN round_id INTEGER REFERENCES rounds(id);
CREATE INDEX applications_round ON applications (round_id);
