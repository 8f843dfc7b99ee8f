"""OSS's checks of a perseorangan micro business registration (``registrasiUMK``).

The NIK per Dukcapil's rules (``app.domain.nik``), the owner at least 17, and every KBLI in
KBLI 2020 and open to a perseorangan UMK. One error per problem, in OSS's answer shape.
Pure, but for ``load_kbli`` reading the KBLI 2020 table once at start.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from app.domain.errors import FieldError
from app.domain.nik import parse_nik

KBLI_CSV = Path(__file__).resolve().parent.parent / "data" / "kbli2020.csv"
# KBLI sections a perseorangan micro business cannot take in OSS: financial services (K),
# public administration (O), extraterritorial bodies (U).
CLOSED_SECTIONS = {"K": "Jasa Keuangan", "O": "Administrasi Pemerintahan",
                   "U": "Badan Internasional"}
MIN_AGE = 17


def load_kbli(path: Path = KBLI_CSV) -> dict[str, tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["code"]: (row["title"], row["section"]) for row in csv.DictReader(fh)}


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def validate_registration(
    reg: object, kbli: dict[str, tuple[str, str]], today: date
) -> list[dict[str, str]]:
    """OSS's checks of a micro business registration: one error per problem."""
    if not isinstance(reg, dict):
        return [{"field": "REGISTRASI", "pesan": "Data registrasi tidak ditemukan."}]
    errors: list[dict[str, str]] = []

    def err(name: str, message: str) -> None:
        errors.append({"field": name, "pesan": message})

    reference = reg.get("referensi")
    if not isinstance(reference, str) or not 8 <= len(reference) <= 64:
        err("referensi", "Referensi permohonan wajib diisi (8-64 karakter).")
    if reg.get("jenis_pelaku_usaha") != "02":
        err("jenis_pelaku_usaha", "Jenis pelaku usaha harus 02 (orang perseorangan).")
    if reg.get("jenis_identitas") != "01":
        err("jenis_identitas", "Jenis identitas harus 01 (KTP).")
    try:
        nik = parse_nik(str(reg.get("no_identitas", "")), today)
    except FieldError:
        err("no_identitas", "NIK tidak sesuai data kependudukan (Dukcapil).")
    else:
        if _age(nik.birth_date, today) < MIN_AGE:
            err("no_identitas",
                f"Pelaku usaha perseorangan harus berusia minimal {MIN_AGE} tahun.")
    name = reg.get("nama")
    if not isinstance(name, str) or len(name.strip()) < 3:
        err("nama", "Nama pelaku usaha wajib diisi sesuai KTP.")
    region = reg.get("daerah_id")
    if not (isinstance(region, str) and len(region) == 10 and region.isdigit()):
        err("daerah_id", "Kode wilayah harus 10 angka (Kemendagri).")
    projects = reg.get("data_proyek")
    if not isinstance(projects, list) or not projects:
        err("data_proyek", "Minimal satu kegiatan usaha (KBLI) wajib diisi.")
        return errors
    for project in projects:
        code = project.get("kbli") if isinstance(project, dict) else None
        if not (isinstance(code, str) and len(code) == 5 and code.isdigit()):
            err("kbli", "Kode KBLI harus 5 angka.")
            continue
        entry = kbli.get(code)
        if entry is None:
            err("kbli", f"KBLI {code} tidak terdaftar dalam KBLI 2020.")
        elif entry[1] in CLOSED_SECTIONS:
            err("kbli", f"KBLI {code} ({entry[0]}) termasuk bidang "
                        f"{CLOSED_SECTIONS[entry[1]]} dan tidak dapat dipilih oleh pelaku "
                        "usaha perseorangan UMK.")
    return errors

