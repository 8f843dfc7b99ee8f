-- Partner services an applicant may be referred to at the table, and the referrals that
-- travel with an application (../shared/SERVICES.md). Agencies come from 0012.

INSERT INTO agencies (code, name, short_name) VALUES
    ('bank_kur', 'Bank penyalur KUR', 'Bank penyalur KUR');

CREATE TABLE agency_services (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    brings TEXT NOT NULL,            -- what the applicant brings, one item per line
    reference_label TEXT NOT NULL,   -- the number the agency issues (STTD, P-IRT, NPWP...)
    needs_nik INTEGER NOT NULL DEFAULT 0 CHECK (needs_nik IN (0, 1)),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    position INTEGER NOT NULL DEFAULT 0
);
INSERT INTO agency_services (code, agency_id, name, brings, reference_label, needs_nik, position)
SELECT s.code, a.id, s.name, s.brings, s.reference_label, s.needs_nik, s.position FROM (
    SELECT 'halal' AS code, 'kemenag' AS agency, 'Sertifikat halal (self-declare)' AS name,
        'NIB dengan KBLI yang sesuai' || char(10) || 'KTP' || char(10) ||
        'Daftar produk dan bahan' || char(10) || 'Proses produksi' || char(10) ||
        'Nomor WhatsApp atau email' AS brings,
        'Nomor STTD' AS reference_label, 1 AS needs_nik, 1 AS position
    UNION ALL SELECT 'pirt', 'dinkes', 'Izin PIRT (pangan industri rumah tangga)',
        'KTP' || char(10) || 'NIB' || char(10) || 'Sertifikat penyuluhan keamanan pangan (PKP)' ||
        char(10) || 'Label dan data produk', 'Nomor P-IRT', 1, 2
    UNION ALL SELECT 'bpjs_tk', 'bpjs_tk', 'BPJS Ketenagakerjaan (pekerja bukan penerima upah)',
        'KTP/NIK' || char(10) || 'Nomor HP', 'Nomor kepesertaan', 1, 3
    UNION ALL SELECT 'bpjs_kes', 'bpjs_kes', 'BPJS Kesehatan',
        'KTP' || char(10) || 'Kartu Keluarga', 'Nomor kepesertaan / virtual account', 1, 4
    UNION ALL SELECT 'npwp', 'kpp', 'NPWP (aktivasi NIK sebagai NPWP)',
        'e-KTP' || char(10) || 'Kartu Keluarga' || char(10) || 'Nomor HP' || char(10) || 'Email',
        'NPWP', 1, 5
    UNION ALL SELECT 'merek', 'dinkopum', 'Merek dagang UMK (surat rekomendasi UMK)',
        'Gambar label' || char(10) || 'Tanda tangan' || char(10) || 'KTP' || char(10) || 'NIB' ||
        char(10) || 'Daftar barang', 'Nomor permohonan merek', 0, 6
    UNION ALL SELECT 'kur', 'bank_kur', 'KUR (Kredit Usaha Rakyat)',
        'NIB atau surat keterangan usaha desa' || char(10) || 'e-KTP' || char(10) ||
        'Kartu Keluarga', 'Nomor pengajuan', 0, 7
    UNION ALL SELECT 'pbg', 'pupr', 'Konsultasi persetujuan bangunan gedung (PBG)',
        'Data bangunan', 'Nomor konsultasi', 0, 8
    UNION ALL SELECT 'ukl_upl', 'dlh', 'Konsultasi dokumen lingkungan (UKL-UPL)',
        'Data usaha', 'Nomor konsultasi', 0, 9
) s JOIN agencies a ON a.code = s.agency;

CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    service_id INTEGER NOT NULL REFERENCES agency_services(id),
    status TEXT NOT NULL DEFAULT 'requested'
        CHECK (status IN ('requested', 'done', 'consulted', 'follow_up', 'not_eligible')),
    reference_number TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    UNIQUE (application_id, service_id)
);
CREATE INDEX referrals_service ON referrals (service_id, status);
