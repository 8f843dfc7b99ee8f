"""What OSS receives for one application, in OSS's field names and field order.

``build_registration`` makes the payload the HTTP gateway sends; ``operator_sections`` lays
the same data out for a person keying it into the OSS portal (assisted mode), field by field
in the order the portal asks for them, each with a copy button. Pure functions: the caller
passes the application row and the KBLI/region names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.oss.gateway import Registration

JENIS_PELAKU_PERSEORANGAN = "02"
JENIS_IDENTITAS_KTP = "01"
KEWENANGAN_KAB_KOTA = "02"


@dataclass(frozen=True, slots=True)
class Field:
    label: str  # as the OSS portal calls it (Bahasa Indonesia)
    value: str
    oss_name: str  # OSS's field name


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    fields: tuple[Field, ...]


def _oss_region(dotted: str) -> str:
    return dotted.replace(".", "")


def kbli_codes(app: Mapping[str, Any]) -> list[str]:
    codes = json.loads(app["kbli_json"])
    return [str(c) for c in codes]


def rt_rw(app: Mapping[str, Any]) -> str:
    return f"{app['rt']}/{app['rw']}"


def build_registration(
    app: Mapping[str, Any], kbli_title: Callable[[str], str]
) -> Registration:
    """The registration of a micro business (perseorangan) for OSS."""
    region = _oss_region(app["desa"])
    address = f"{app['street']}, RT {app['rt']}/RW {app['rw']}"
    payload: dict[str, Any] = {
        "referensi": app["client_id"],
        "jenis_pelaku_usaha": JENIS_PELAKU_PERSEORANGAN,
        "flag_umk": "Y",
        "skala_usaha": app["scale"],
        "kewenangan": KEWENANGAN_KAB_KOTA,
        "jenis_identitas": JENIS_IDENTITAS_KTP,
        "no_identitas": app["nik"],
        "nama": app["name"],
        "jns_kelamin": app["sex"],
        "tgl_lahir": app["birth_date"],
        "email": app["email"] or "",
        "no_hp": app["phone"],
        "npwp": app["npwp"] or "",
        "alamat": app["street"],
        "rt_rw": rt_rw(app),
        "daerah_id": region,
        "data_proyek": [
            {
                "kbli": code,
                "nama_kegiatan": app["business_name"],
                "uraian_usaha": kbli_title(code),
                "jumlah_tki_l": int(app["workers_male"]),
                "jumlah_tki_p": int(app["workers_female"]),
                "modal_kerja": int(app["capital"]),
                "jumlah_investasi": int(app["capital"]),
                "skala_usaha": app["scale"],
                "proyek_daerah_id": region,
                "alamat_usaha": address,
            }
            for code in kbli_codes(app)
        ],
    }
    return Registration(reference=str(app["client_id"]), payload=payload)


def operator_sections(
    app: Mapping[str, Any],
    kbli_title: Callable[[str], str],
    desa_name: str,
    kecamatan_name: str,
) -> list[Section]:
    """The data in the OSS portal's order: the business actor, then each activity."""
    sex = {"L": "Laki-laki", "P": "Perempuan"}.get(app["sex"], app["sex"])
    birth = app["birth_date"]
    birth_shown = f"{birth[8:10]}-{birth[5:7]}-{birth[0:4]}" if len(birth) == 10 else birth
    actor = Section(
        "Data pelaku usaha",
        (
            Field("Jenis pelaku usaha", "Orang perseorangan", "jenis_pelaku_usaha"),
            Field("Jenis identitas", "KTP", "jenis_identitas"),
            Field("NIK", app["nik"], "no_identitas"),
            Field("Nama sesuai KTP", app["name"], "nama"),
            Field("Jenis kelamin", sex, "jns_kelamin"),
            Field("Tanggal lahir", birth_shown, "tgl_lahir"),
            Field("Email", app["email"] or "", "email"),
            Field("Nomor HP/WhatsApp", app["phone"], "no_hp"),
            Field("NPWP", app["npwp"] or "", "npwp"),
            Field("Alamat (jalan/dusun)", app["street"], "alamat"),
            Field("RT/RW", rt_rw(app), "rt_rw"),
            Field("Kecamatan", kecamatan_name, "kecamatan"),
            Field("Desa/kelurahan", desa_name, "kelurahan"),
            Field("Kode wilayah (Kemendagri)", _oss_region(app["desa"]), "daerah_id"),
        ),
    )
    sections = [actor]
    for index, code in enumerate(kbli_codes(app), start=1):
        sections.append(
            Section(
                f"Kegiatan usaha {index}",
                (
                    Field("KBLI", code, "kbli"),
                    Field("Judul KBLI", kbli_title(code), "uraian_usaha"),
                    Field("Nama usaha (nama kegiatan)", app["business_name"], "nama_kegiatan"),
                    Field("Skala usaha", "Mikro" if app["scale"] == "01" else app["scale"],
                          "skala_usaha"),
                    Field("Modal usaha (Rp)", str(app["capital"]), "modal_kerja"),
                    Field("Tenaga kerja laki-laki", str(app["workers_male"]), "jumlah_tki_l"),
                    Field("Tenaga kerja perempuan", str(app["workers_female"]), "jumlah_tki_p"),
                    Field("Alamat usaha", f"{app['street']}, RT {app['rt']}/RW {app['rw']}",
                          "alamat_usaha"),
                    Field("Lokasi usaha (kode wilayah)", _oss_region(app["desa"]),
                          "proyek_daerah_id"),
                ),
            )
        )
    return sections
