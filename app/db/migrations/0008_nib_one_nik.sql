-- A NIB belongs to one NIK. Several applications of the same person may carry the same NIB
-- (OSS gives a business actor one NIB and adds each further business to it as a KBLI), so
-- this is not a unique index on applications(nib): the triggers refuse a NIB that is already
-- recorded on an application of ANOTHER NIK, whichever path writes it (forwarder, operator,
-- receiveNIB, admin). Rows written before this migration are left as they are; the triggers
-- fire only when a NIB or NIK actually changes.
CREATE INDEX applications_nib ON applications(nib) WHERE nib IS NOT NULL;

CREATE TRIGGER applications_nib_one_nik_insert BEFORE INSERT ON applications
WHEN NEW.nib IS NOT NULL
 AND EXISTS (SELECT 1 FROM applications WHERE nib = NEW.nib AND nik != NEW.nik)
BEGIN SELECT RAISE(ABORT, 'NIB is recorded for another NIK'); END;

CREATE TRIGGER applications_nib_one_nik_update BEFORE UPDATE OF nib, nik ON applications
WHEN NEW.nib IS NOT NULL AND (NEW.nib IS NOT OLD.nib OR NEW.nik IS NOT OLD.nik)
 AND EXISTS (SELECT 1 FROM applications WHERE nib = NEW.nib AND nik != NEW.nik AND id != NEW.id)
BEGIN SELECT RAISE(ABORT, 'NIB is recorded for another NIK'); END;

-- receiveNIB: the SHA-256 of the pushed dataNIB (canonical JSON). A push repeated with the
-- same NIB and the same body is the same push: one row. NULL for pushes stored before this.
ALTER TABLE oss_pushes ADD COLUMN payload_sha256 TEXT;
CREATE UNIQUE INDEX oss_pushes_once ON oss_pushes(nib, payload_sha256)
    WHERE payload_sha256 IS NOT NULL;
