"""What OSS receives for an application, and the operator's field order."""

from __future__ import annotations

import json

from app.oss.registration import build_registration, operator_sections

APP = {
    "client_id": "0b5e8f0e-2c1d-4f7e-9a61-2f5f0c3b9d11", "nik": "3505014507900012",
    "name": "Siti Aminah", "sex": "P", "birth_date": "1990-07-05", "phone": "6281234567890",
    "email": None, "npwp": None, "business_name": "Warung Bu Siti", "kecamatan": "35.05.01",
    "desa": "35.05.01.2001", "rt": "003", "rw": "002", "street": "Jl. Mawar 5",
    "kbli_json": json.dumps(["56102", "47111"]), "capital": 15_000_000, "workers_male": 0,
    "workers_female": 2, "scale": "01",
}


def title(code: str) -> str:
    return {"56102": "Rumah Makan", "47111": "Toko Kelontong"}[code]


def test_registration_payload_in_oss_field_names() -> None:
    reg = build_registration(APP, title)
    assert reg.reference == APP["client_id"] == reg.payload["referensi"]
    p = reg.payload
    assert (p["jenis_pelaku_usaha"], p["jenis_identitas"], p["skala_usaha"]) == ("02", "01", "01")
    assert p["no_identitas"] == APP["nik"] and p["daerah_id"] == "3505012001"
    assert p["rt_rw"] == "003/002" and p["email"] == "" and p["npwp"] == ""
    assert [x["kbli"] for x in p["data_proyek"]] == ["56102", "47111"]
    first = p["data_proyek"][0]
    assert first["uraian_usaha"] == "Rumah Makan" and first["jumlah_tki_p"] == 2
    assert first["modal_kerja"] == 15_000_000 and first["proyek_daerah_id"] == "3505012001"
    json.dumps(p)  # it must travel as JSON


def test_operator_sections_follow_the_portal_order() -> None:
    sections = operator_sections(APP, title, "Bendo", "Bakung")
    assert [s.title for s in sections] == ["Data pelaku usaha", "Kegiatan usaha 1",
                                           "Kegiatan usaha 2"]
    actor = [f.oss_name for f in sections[0].fields]
    assert actor.index("no_identitas") < actor.index("nama") < actor.index("daerah_id")
    values = {f.oss_name: f.value for f in sections[0].fields}
    assert values["tgl_lahir"] == "05-07-1990" and values["jns_kelamin"] == "Perempuan"
    assert values["kelurahan"] == "Bendo"
    assert sections[2].fields[0].value == "47111"
