-- The office's side of the rounds (issue 11): the honorarium's rate and budget per year,
-- and lookups the invitation limits and the officers' schedules need.

-- Per year: the budget entered by the admin and, when set, that year's rates (otherwise
-- JBM_HONOR_RATE / JBM_HONOR_EVENING_RATE). Rupiah, whole numbers.
CREATE TABLE honor_years (
    year INTEGER PRIMARY KEY,
    budget INTEGER,
    rate INTEGER,
    evening_rate INTEGER,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

-- Invitations per WhatsApp number per day (the public form's limit).
CREATE INDEX invitations_phone ON invitations (phone, created_at);
