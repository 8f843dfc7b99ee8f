-- Personal data kept only as long as the work needs it (docs/privacy.md).

-- When a checked-in pre-registration's copy of the citizen's data was cleared (at the
-- check-in, or by the retention job for rows checked in before this migration): the
-- application holds the data from then on.
ALTER TABLE preregistrations ADD COLUMN redacted_at TEXT;
-- When the retention job reduced a closed data-subject request to its history (masked NIK
-- and requester's name), its grace period after closing having passed.
ALTER TABLE subject_requests ADD COLUMN redacted_at TEXT;
