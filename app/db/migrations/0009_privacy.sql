-- Personal data duties (UU 27/2022, issue 9): retention marks and the data protection
-- officer's desk for data-subject requests.

-- When the retention job blanked a pushed NIB's NIK and payload (docs/privacy.md).
ALTER TABLE oss_pushes ADD COLUMN redacted_at TEXT;
-- When the retention job blanked who handed an application over on WhatsApp.
ALTER TABLE whatsapp_handoffs ADD COLUMN redacted_at TEXT;
-- When an erasure request anonymised the application (its status, region, KBLI, scale and
-- dates are kept for the office's statistics).
ALTER TABLE applications ADD COLUMN anonymised_at TEXT;

-- Requests of data subjects: access, correction, erasure. The NIK is needed to act on the
-- request; pages show it masked and never put it in a URL.
CREATE TABLE subject_requests (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('akses', 'koreksi', 'penghapusan')),
    nik             TEXT NOT NULL,
    requester_name  TEXT NOT NULL,
    channel         TEXT NOT NULL,
    received_at     TEXT NOT NULL,     -- UTC ISO-8601, as the DPO recorded it
    due_at          TEXT NOT NULL,     -- received_at + 3 x 24 hours
    note            TEXT,
    status          TEXT NOT NULL DEFAULT 'baru'
                    CHECK (status IN ('baru', 'diproses', 'selesai', 'ditolak')),
    status_reason   TEXT,              -- required when refused
    created_by      INTEGER REFERENCES users(id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    closed_at       TEXT
);
CREATE INDEX subject_requests_status ON subject_requests(status, due_at);
