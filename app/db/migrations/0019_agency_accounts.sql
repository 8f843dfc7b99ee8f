-- Agency accounts and the referrals' numbers: a `mitra` user belongs to one partner agency
-- (users.agency_id), and a summary of referrals per service and outcome kept by triggers in
-- the same transaction as every write (the statistics panel never scans referrals;
-- docs/statistics.md). Cells are keyed like stat_cells: the application's capture month,
-- kecamatan and round (0 without one).

ALTER TABLE users ADD COLUMN agency_id INTEGER REFERENCES agencies(id);
CREATE INDEX users_agency ON users (agency_id);

CREATE TABLE stat_referral_cells (
    month TEXT NOT NULL,
    kecamatan TEXT NOT NULL,
    round_id INTEGER NOT NULL,
    service_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (month, kecamatan, round_id, service_id, status)
) WITHOUT ROWID;

INSERT INTO stat_referral_cells
SELECT substr(a.created_day, 1, 7), a.kecamatan, coalesce(a.round_id, 0), r.service_id,
       r.status, count(*)
FROM referrals r JOIN applications a ON a.id = r.application_id GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER stat_referral_insert AFTER INSERT ON referrals BEGIN
    INSERT INTO stat_referral_cells
    SELECT substr(a.created_day, 1, 7), a.kecamatan, coalesce(a.round_id, 0), new.service_id,
           new.status, 1 FROM applications a WHERE a.id = new.application_id
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER stat_referral_status AFTER UPDATE OF status ON referrals
WHEN old.status != new.status BEGIN
    INSERT INTO stat_referral_cells
    SELECT substr(a.created_day, 1, 7), a.kecamatan, coalesce(a.round_id, 0), new.service_id,
           v.status, v.n
    FROM applications a, (SELECT old.status AS status, -1 AS n
                          UNION ALL SELECT new.status, 1) v
    WHERE a.id = new.application_id
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER stat_referral_delete AFTER DELETE ON referrals BEGIN
    INSERT INTO stat_referral_cells
    SELECT substr(a.created_day, 1, 7), a.kecamatan, coalesce(a.round_id, 0), old.service_id,
           old.status, -1 FROM applications a WHERE a.id = old.application_id
    ON CONFLICT DO UPDATE SET n = n - 1;
END;

-- An application moved to another kecamatan or round (a correction, a round set later):
-- its referrals move with it.
CREATE TRIGGER stat_referral_move AFTER UPDATE OF kecamatan, round_id, created_day
ON applications
WHEN old.kecamatan IS NOT new.kecamatan OR old.round_id IS NOT new.round_id
     OR old.created_day IS NOT new.created_day BEGIN
    INSERT INTO stat_referral_cells
    SELECT substr(old.created_day, 1, 7), old.kecamatan, coalesce(old.round_id, 0),
           r.service_id, r.status, -count(*)
    FROM referrals r WHERE r.application_id = new.id GROUP BY r.service_id, r.status
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO stat_referral_cells
    SELECT substr(new.created_day, 1, 7), new.kecamatan, coalesce(new.round_id, 0),
           r.service_id, r.status, count(*)
    FROM referrals r WHERE r.application_id = new.id GROUP BY r.service_id, r.status
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
