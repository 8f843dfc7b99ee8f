-- Pre-registration from home (/daftar-mandiri): the citizen fills the application's fields
-- on her own phone; an officer checks them against the KTP at the car and the application is
-- made then (docs/preregistration.md). The form columns are the application's
-- (app/domain/application.py COLUMNS); nothing goes to OSS from this table.

CREATE TABLE preregistrations (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,          -- tracking-code alphabet, shown as P-ABC-DEFG
    client_id       TEXT NOT NULL UNIQUE,          -- the form's idempotency key
    request_hash    TEXT NOT NULL,                 -- SHA-256 of the normalised answer
    status          TEXT NOT NULL DEFAULT 'waiting'
        CHECK (status IN ('waiting', 'checked_in', 'expired')),
    consent_version TEXT NOT NULL,                 -- the consent statement she agreed to
    application_id  INTEGER REFERENCES applications(id),
    referrals_json  TEXT NOT NULL DEFAULT '[]',    -- partner services asked for (codes)
    nik             TEXT NOT NULL,
    name            TEXT NOT NULL,
    phone           TEXT NOT NULL,
    email           TEXT,
    npwp            TEXT,
    business_name   TEXT NOT NULL,
    kbli_json       TEXT NOT NULL,
    capital         INTEGER NOT NULL,
    workers_male    INTEGER NOT NULL,
    workers_female  INTEGER NOT NULL,
    kecamatan       TEXT NOT NULL,
    desa            TEXT NOT NULL,
    rt              TEXT NOT NULL,
    rw              TEXT NOT NULL,
    street          TEXT NOT NULL,
    round_id        INTEGER REFERENCES rounds(id),
    sex             TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    scale           TEXT NOT NULL,
    created_at      TEXT NOT NULL,                 -- UTC ISO-8601
    expires_at      TEXT NOT NULL                  -- deleted after this unless checked in
);
CREATE INDEX preregistrations_round ON preregistrations (round_id, status);
CREATE INDEX preregistrations_kecamatan ON preregistrations (kecamatan, status);
CREATE INDEX preregistrations_phone ON preregistrations (phone, created_at);
CREATE INDEX preregistrations_expiry ON preregistrations (status, expires_at);
CREATE INDEX preregistrations_application ON preregistrations (application_id);
