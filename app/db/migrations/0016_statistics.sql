-- Statistics (docs/statistics.md): a summary of applications kept exact by triggers in the
-- same transaction as every write (no nightly batch to drift), the potential businesses per
-- kecamatan for coverage, and the OSS queue depth at the worst of each outage.

-- One row per (dimension, capture month in WIB, kecamatan, round or 0, value): how many
-- applications, and their male and female workers. Dimensions: status, scale, sex, desa,
-- kbli (the 2-digit KBLI division of the first code), officer (id or 0), and nib_time
-- (applications issued, by capture-to-NIB time: the lower bound in seconds of its bucket
-- in stat_time_buckets).
CREATE TABLE stat_cells (
    dim            TEXT NOT NULL,
    month          TEXT NOT NULL,                   -- YYYY-MM of created_day
    kecamatan      TEXT NOT NULL,
    round_id       INTEGER NOT NULL,                -- 0: not taken at a round
    value          NOT NULL,                        -- text, or seconds for nib_time
    n              INTEGER NOT NULL,
    workers_male   INTEGER NOT NULL,
    workers_female INTEGER NOT NULL,
    PRIMARY KEY (dim, month, kecamatan, round_id, value)
) WITHOUT ROWID;

-- Capture-to-NIB buckets, about 1.5x wide each, from 10 seconds to 30 days (the same
-- ladder as app.domain.statistics.TIME_BUCKETS): few enough that the time panel reads a
-- small histogram however many applications there are.
CREATE TABLE stat_time_buckets (lower INTEGER PRIMARY KEY);
INSERT INTO stat_time_buckets (lower) VALUES (0), (10), (20), (30), (45), (60), (90), (120),
    (180), (300), (450), (600), (900), (1200), (1800), (2700), (3600), (5400), (7200), (10800),
    (14400), (21600), (28800), (43200), (64800), (86400), (129600), (172800), (259200),
    (345600), (432000), (604800), (864000), (1209600), (1814400), (2592000);

CREATE TRIGGER stat_insert AFTER INSERT ON applications
BEGIN
    INSERT INTO stat_cells (dim, month, kecamatan, round_id, value, n, workers_male,
                            workers_female)
    VALUES
        ('status', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         NEW.status, 1, NEW.workers_male, NEW.workers_female),
        ('scale', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         NEW.scale, 1, NEW.workers_male, NEW.workers_female),
        ('sex', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         NEW.sex, 1, NEW.workers_male, NEW.workers_female),
        ('desa', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         NEW.desa, 1, NEW.workers_male, NEW.workers_female),
        ('kbli', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         substr(NEW.kbli_json, 3, 2), 1, NEW.workers_male, NEW.workers_female),
        ('officer', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         coalesce(NEW.officer_id, 0), 1, NEW.workers_male, NEW.workers_female)
    ON CONFLICT DO UPDATE SET n = n + excluded.n,
        workers_male = workers_male + excluded.workers_male,
        workers_female = workers_female + excluded.workers_female;
END;

-- A status change alone (the forwarder's path) moves one count: two small upserts. When
-- counted columns change too, stat_move does the whole move instead.
CREATE TRIGGER stat_status AFTER UPDATE OF status ON applications
WHEN OLD.status IS NOT NEW.status
 AND OLD.created_day IS NEW.created_day AND OLD.kecamatan IS NEW.kecamatan
 AND OLD.desa IS NEW.desa AND OLD.round_id IS NEW.round_id
 AND OLD.officer_id IS NEW.officer_id AND OLD.sex IS NEW.sex
 AND OLD.scale IS NEW.scale AND OLD.kbli_json IS NEW.kbli_json
 AND OLD.workers_male IS NEW.workers_male AND OLD.workers_female IS NEW.workers_female
BEGIN
    INSERT INTO stat_cells (dim, month, kecamatan, round_id, value, n, workers_male,
                            workers_female)
    VALUES
        ('status', substr(OLD.created_day, 1, 7), OLD.kecamatan, coalesce(OLD.round_id, 0),
         OLD.status, -1, -OLD.workers_male, -OLD.workers_female),
        ('status', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         NEW.status, 1, NEW.workers_male, NEW.workers_female)
    ON CONFLICT DO UPDATE SET n = n + excluded.n,
        workers_male = workers_male + excluded.workers_male,
        workers_female = workers_female + excluded.workers_female;
END;

-- Anything counted changed (a correction, a round assigned later): take the old row out of
-- every dimension and put the new one in.
CREATE TRIGGER stat_move AFTER UPDATE OF created_day, kecamatan, desa, round_id, officer_id,
    sex, scale, kbli_json, workers_male, workers_female ON applications
WHEN OLD.created_day IS NOT NEW.created_day OR OLD.kecamatan IS NOT NEW.kecamatan
  OR OLD.desa IS NOT NEW.desa OR OLD.round_id IS NOT NEW.round_id
  OR OLD.officer_id IS NOT NEW.officer_id OR OLD.sex IS NOT NEW.sex
  OR OLD.scale IS NOT NEW.scale OR OLD.kbli_json IS NOT NEW.kbli_json
  OR OLD.workers_male IS NOT NEW.workers_male OR OLD.workers_female IS NOT NEW.workers_female
BEGIN
    INSERT INTO stat_cells (dim, month, kecamatan, round_id, value, n, workers_male,
                            workers_female)
    VALUES
        ('status', substr(OLD.created_day, 1, 7), OLD.kecamatan, coalesce(OLD.round_id, 0),
         OLD.status, -1, -OLD.workers_male, -OLD.workers_female),
        ('scale', substr(OLD.created_day, 1, 7), OLD.kecamatan, coalesce(OLD.round_id, 0),
         OLD.scale, -1, -OLD.workers_male, -OLD.workers_female),
        ('sex', substr(OLD.created_day, 1, 7), OLD.kecamatan, coalesce(OLD.round_id, 0),
         OLD.sex, -1, -OLD.workers_male, -OLD.workers_female),
        ('desa', substr(OLD.created_day, 1, 7), OLD.kecamatan, coalesce(OLD.round_id, 0),
         OLD.desa, -1, -OLD.workers_male, -OLD.workers_female),
        ('kbli', substr(OLD.created_day, 1, 7), OLD.kecamatan, coalesce(OLD.round_id, 0),
         substr(OLD.kbli_json, 3, 2), -1, -OLD.workers_male, -OLD.workers_female),
        ('officer', substr(OLD.created_day, 1, 7), OLD.kecamatan, coalesce(OLD.round_id, 0),
         coalesce(OLD.officer_id, 0), -1, -OLD.workers_male, -OLD.workers_female),
        ('status', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         NEW.status, 1, NEW.workers_male, NEW.workers_female),
        ('scale', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         NEW.scale, 1, NEW.workers_male, NEW.workers_female),
        ('sex', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         NEW.sex, 1, NEW.workers_male, NEW.workers_female),
        ('desa', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         NEW.desa, 1, NEW.workers_male, NEW.workers_female),
        ('kbli', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         substr(NEW.kbli_json, 3, 2), 1, NEW.workers_male, NEW.workers_female),
        ('officer', substr(NEW.created_day, 1, 7), NEW.kecamatan, coalesce(NEW.round_id, 0),
         coalesce(NEW.officer_id, 0), 1, NEW.workers_male, NEW.workers_female)
    ON CONFLICT DO UPDATE SET n = n + excluded.n,
        workers_male = workers_male + excluded.workers_male,
        workers_female = workers_female + excluded.workers_female;
END;

-- The NIB arrived: how long after capture (updated_at is the time of this change, the same
-- time its status event records).
CREATE TRIGGER stat_nib_time AFTER UPDATE OF status ON applications
WHEN NEW.status = 'issued' AND OLD.status NOT IN ('issued', 'notified')
BEGIN
    INSERT INTO stat_cells (dim, month, kecamatan, round_id, value, n, workers_male,
                            workers_female)
    SELECT 'nib_time', substr(NEW.created_day, 1, 7), NEW.kecamatan,
           coalesce(NEW.round_id, 0),
           (SELECT max(lower) FROM stat_time_buckets WHERE lower <= s),
           1, NEW.workers_male, NEW.workers_female
    FROM (SELECT max(0, CAST((julianday(NEW.updated_at) - julianday(NEW.created_at))
                             * 86400 + 0.5 AS INTEGER)) AS s)
    WHERE true
    ON CONFLICT DO UPDATE SET n = n + excluded.n,
        workers_male = workers_male + excluded.workers_male,
        workers_female = workers_female + excluded.workers_female;
END;

-- What is already stored (the same statements as app.db.statistics.rebuild_cells).
INSERT INTO stat_cells
SELECT 'status', substr(created_day, 1, 7), kecamatan, coalesce(round_id, 0), status,
       count(*), sum(workers_male), sum(workers_female)
FROM applications GROUP BY 2, 3, 4, 5
UNION ALL
SELECT 'scale', substr(created_day, 1, 7), kecamatan, coalesce(round_id, 0), scale,
       count(*), sum(workers_male), sum(workers_female)
FROM applications GROUP BY 2, 3, 4, 5
UNION ALL
SELECT 'sex', substr(created_day, 1, 7), kecamatan, coalesce(round_id, 0), sex,
       count(*), sum(workers_male), sum(workers_female)
FROM applications GROUP BY 2, 3, 4, 5
UNION ALL
SELECT 'desa', substr(created_day, 1, 7), kecamatan, coalesce(round_id, 0), desa,
       count(*), sum(workers_male), sum(workers_female)
FROM applications GROUP BY 2, 3, 4, 5
UNION ALL
SELECT 'kbli', substr(created_day, 1, 7), kecamatan, coalesce(round_id, 0),
       substr(kbli_json, 3, 2), count(*), sum(workers_male), sum(workers_female)
FROM applications GROUP BY 2, 3, 4, 5
UNION ALL
SELECT 'officer', substr(created_day, 1, 7), kecamatan, coalesce(round_id, 0),
       coalesce(officer_id, 0), count(*), sum(workers_male), sum(workers_female)
FROM applications GROUP BY 2, 3, 4, 5
UNION ALL
SELECT 'nib_time', month, kecamatan, round_id,
       (SELECT max(lower) FROM stat_time_buckets WHERE lower <= s),
       count(*), sum(workers_male), sum(workers_female)
FROM (SELECT substr(a.created_day, 1, 7) AS month, a.kecamatan,
             coalesce(a.round_id, 0) AS round_id, a.workers_male, a.workers_female,
             max(0, CAST((julianday(e.at) - julianday(a.created_at)) * 86400 + 0.5
                         AS INTEGER)) AS s
      FROM applications a
      JOIN (SELECT application_id, min(at) AS at FROM status_events
            WHERE status = 'issued' GROUP BY application_id) e ON e.application_id = a.id)
GROUP BY 2, 3, 4, 5;

-- Potential businesses per kecamatan, entered or imported by an admin (none is invented).
CREATE TABLE coverage_potential (
    kecamatan   TEXT PRIMARY KEY,
    potential   INTEGER NOT NULL CHECK (potential >= 0),
    source      TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);

-- The OSS queue (pending jobs) at its deepest while an outage lasted, sampled at every
-- commit of the forwarder (app.db.oss.note_outage_queue).
ALTER TABLE oss_outages ADD COLUMN max_queue INTEGER;
