"""Who may be a user: roles, user names and full names (rules only, no I/O)."""

from __future__ import annotations

import re

# Stored role values and how people read them. Pages are scoped by role elsewhere.
ROLE_LABELS = {
    "officer": "Petugas lapangan",
    "admin": "Admin",
    "oss_operator": "Operator OSS",
    "mitra": "Mitra",
    "dpo": "Pejabat pelindungan data (DPO)",
}
ROLES = tuple(ROLE_LABELS)

USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{2,31}")

MSG_USERNAME = ("Nama pengguna 3–32 karakter: huruf kecil, angka, titik, garis bawah atau "
                "tanda hubung, diawali huruf atau angka.")
MSG_FULL_NAME = "Isi nama lengkap (2–100 karakter)."
MSG_ROLE = "Pilih peran dari daftar."


def username_problem(username: str) -> str | None:
    return None if USERNAME_RE.fullmatch(username) else MSG_USERNAME


def full_name_problem(full_name: str) -> str | None:
    return None if 2 <= len(full_name.strip()) <= 100 else MSG_FULL_NAME


def role_problem(role: str) -> str | None:
    return None if role in ROLE_LABELS else MSG_ROLE


MITRA_ROLE = "mitra"
MSG_AGENCY = ("Akun mitra harus terhubung ke satu instansi. Pilih instansinya; tiap petugas "
              "instansi memakai akunnya sendiri.")


def agency_for_role(role: str, agency_id: int | None, known: set[int]
                    ) -> tuple[int | None, str | None]:
    """The agency a user of this role belongs to, or the message why not: a mitra belongs
    to exactly one known agency, other roles to none (a choice left on the form is
    dropped)."""
    if role != MITRA_ROLE:
        return None, None
    if agency_id is None or agency_id not in known:
        return None, MSG_AGENCY
    return agency_id, None
