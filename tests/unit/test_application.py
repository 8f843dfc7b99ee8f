"""The capture form: every field checked, every error collected, form and JSON values."""

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.application import (
    FIELD_NAMES,
    MAX_FIELD_KBLI,
    MSG_EMAIL_REQUIRED,
    MSG_REFERRAL,
    MSG_ROUND,
    ApplicationInput,
    changed_fields,
    form_values,
    read_form,
    to_columns,
    validate_application,
)
from app.domain.scale import Scale

TODAY = date(2026, 11, 29)
KBLI = {"56102", "47112", "14111", "10710"}
DESA = {"35.05.01.2001": "35.05.01"}

FORM: dict[str, object] = {
    "nik": "3505014507900012",
    "name": "Siti Nur'aini",
    "phone": "0812-3456-7890",
    "email": "siti@gmail.com",
    "no_email": "",
    "npwp": "",
    "business_name": "Warung Bu Siti",
    "kecamatan": "35.05.01",
    "desa": "35.05.01.2001",
    "rt": "3",
    "rw": "05",
    "street": "Dusun Krajan",
    "kbli": "56102",
    "capital": "15.000.000",
    "workers_male": "",
    "workers_female": "2",
    "round_id": "",
    "referrals": "",
}


def validate(raw: dict[str, object]) -> ApplicationInput | dict[str, str]:
    return validate_application(
        raw, kbli_exists=lambda code: code in KBLI, kecamatan_of_desa=DESA.get, today=TODAY
    )


def ok(**changes: object) -> ApplicationInput:
    result = validate({**FORM, **changes})
    assert isinstance(result, ApplicationInput), result
    return result


def errors(**changes: object) -> dict[str, str]:
    result = validate({**FORM, **changes})
    assert isinstance(result, dict), result
    return result


def test_fields_accepted_from_a_form() -> None:
    assert set(FIELD_NAMES) == set(FORM)
    assert MAX_FIELD_KBLI == 2


def test_a_valid_form_gives_a_clean_application() -> None:
    app = ok()
    assert app == ApplicationInput(
        nik="3505014507900012",
        name="Siti Nur'aini",
        sex="P",
        birth_date=date(1990, 7, 5),
        phone="6281234567890",
        email="siti@gmail.com",
        npwp=None,
        business_name="Warung Bu Siti",
        kecamatan="35.05.01",
        desa="35.05.01.2001",
        rt="003",
        rw="005",
        street="Dusun Krajan",
        kbli=("56102",),
        capital=15_000_000,
        workers_male=0,
        workers_female=2,
        scale=Scale.MIKRO,
    )
    assert app.referral_reason is None


def test_a_json_body_with_native_types_is_accepted() -> None:
    body: dict[str, Any] = {
        "nik": 3505014507900012,
        "name": "  Moh.   Ali  ",
        "phone": "+62 812 3456 7890",
        "email": None,
        "no_email": True,
        "npwp": None,
        "business_name": "UD. Sumber Rejeki",
        "desa": "3505012001",
        "rt": 3,
        "rw": 12,
        "street": "Jl. Raya Wonodadi No. 5",
        "kbli": ["47112", "10710", "47112"],
        "capital": 15000000.0,
        "workers_male": 1,
        "workers_female": 0.0,
    }
    result = validate(body)
    assert isinstance(result, ApplicationInput), result
    assert result.name == "Moh. Ali"
    assert result.email is None
    assert result.kecamatan == "35.05.01"  # derived from the desa
    assert result.desa == "35.05.01.2001"
    assert (result.rt, result.rw) == ("003", "012")
    assert result.kbli == ("47112", "10710")
    assert result.capital == 15_000_000
    assert (result.workers_male, result.workers_female) == (1, 0)


def test_an_empty_body_reports_every_required_field_at_once() -> None:
    result = validate({})
    assert isinstance(result, dict)
    assert set(result) == {
        "nik",
        "name",
        "phone",
        "email",
        "business_name",
        "desa",
        "rt",
        "rw",
        "street",
        "kbli",
        "capital",
    }
    assert list(result) == [f for f in FIELD_NAMES if f in result]  # in form order
    assert result["email"] == MSG_EMAIL_REQUIRED


def test_several_bad_fields_are_all_reported() -> None:
    result = errors(nik="123", phone="0342-801234", kbli="99999", rt="0")
    assert set(result) == {"nik", "phone", "kbli", "rt"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nik", "", "NIK wajib diisi"),
        ("nik", "350501450790", "NIK harus 16 angka, yang diisi 12 angka."),
        ("nik", "3505014507900000", "Empat angka terakhir NIK tidak boleh 0000."),
        ("name", "", "Nama wajib diisi sesuai KTP."),
        ("name", "Al", "Nama terlalu pendek."),
        ("name", "A" * 101, "Nama terlalu panjang (maksimal 100 karakter)."),
        ("name", "Siti 2", "Nama hanya boleh berisi huruf, spasi, dan tanda . ' , -"),
        ("name", "Siti@Aminah", "Nama hanya boleh berisi huruf"),
        ("name", "-Siti", "Nama hanya boleh berisi huruf"),
        ("phone", "", "Nomor HP (WhatsApp) wajib diisi."),
        ("phone", "0342-801234", "Ini bukan nomor HP."),
        ("email", "siti@gmail", "Bagian setelah tanda @"),
        ("email", "", "Isi alamat email, atau centang 'Tidak punya email'."),
        ("npwp", "12345", "NPWP harus 15 angka (NPWP lama) atau 16 angka (sama dengan NIK)"),
        ("npwp", "3505014507900013", "NPWP 16 angka untuk orang pribadi sama dengan NIK."),
        ("business_name", "", "Nama usaha wajib diisi"),
        ("business_name", "UD", "Nama usaha terlalu pendek (minimal 3 karakter)."),
        ("business_name", "W" * 101, "Nama usaha terlalu panjang"),
        ("business_name", "...", "Nama usaha berisi tanda yang tidak bisa dipakai."),
        ("business_name", "Warung\x00Siti", "Nama usaha berisi tanda yang tidak bisa dipakai."),
        ("kecamatan", "Wonodadi", "Kecamatan tidak dikenali. Pilih kecamatan dari daftar."),
        ("desa", "", "Pilih kecamatan, lalu desa/kelurahan tempat usaha."),
        ("desa", "Jaten", "Desa/kelurahan tidak dikenali. Pilih desa/kelurahan dari daftar."),
        ("desa", "35.05.01.2999", "Desa/kelurahan ini tidak ada di Kabupaten Blitar."),
        ("rt", "", "RT wajib diisi, misalnya 3 atau 003."),
        ("rt", "1234", "RT diisi 1 sampai 3 angka saja, misalnya 003."),
        ("rt", "3a", "RT diisi 1 sampai 3 angka saja"),
        ("rt", "-3", "RT diisi 1 sampai 3 angka saja"),
        ("rt", "000", "RT tidak boleh 000."),
        ("rt", 0, "RT tidak boleh 000."),
        ("rw", "0", "RW tidak boleh 000. Isi nomor RW tempat usaha, misalnya 003."),
        ("rw", 2.5, "RW diisi 1 sampai 3 angka"),
        ("street", "", "Alamat usaha wajib diisi"),
        ("street", "Jl", "Alamat usaha terlalu pendek"),
        ("street", "J" * 201, "Alamat usaha terlalu panjang (maksimal 200 karakter)."),
        ("kbli", "", "Pilih minimal satu kegiatan usaha (kode KBLI)."),
        ("kbli", [], "Pilih minimal satu kegiatan usaha"),
        ("kbli", " , ", "Pilih minimal satu kegiatan usaha"),
        ("kbli", "5610", "Kode KBLI harus 5 angka, misalnya 47112. Periksa kode ini: 5610."),
        ("kbli", "56102, warung", "Periksa kode ini: warung."),
        ("kbli", "99999", "Kode KBLI 99999 tidak ada dalam KBLI 2020."),
        ("kbli", ["56102", "99999", "88888"], "Kode KBLI 99999, 88888 tidak ada dalam KBLI 2020."),
        ("kbli", [f"{n:05d}" for n in range(21)], "Paling banyak 20 kode KBLI"),
        ("capital", "", "Modal usaha wajib diisi dalam rupiah"),
        ("capital", None, "Modal usaha wajib diisi dalam rupiah"),
        ("capital", "15 juta", "Tulis modal dengan angka lengkap"),
        ("capital", "1,5", "tanpa angka di belakang koma"),
        ("capital", 1500.5, "tanpa angka di belakang koma"),
        ("capital", -1, "tidak boleh kurang dari nol"),
        ("capital", True, "Penulisan modal tidak dikenali"),
        ("workers_male", "-1", "Jumlah tenaga kerja laki-laki diisi angka bulat 0 sampai 10000"),
        ("workers_male", "dua", "Jumlah tenaga kerja laki-laki"),
        ("workers_male", 10001, "Jumlah tenaga kerja laki-laki"),
        ("workers_female", "1,5", "Jumlah tenaga kerja perempuan"),
        ("workers_female", False, "Jumlah tenaga kerja perempuan"),
    ],
)
def test_each_bad_field_gets_one_message(field: str, value: object, message: str) -> None:
    result = errors(**{field: value})
    assert list(result) == [field]
    assert message in result[field]


@pytest.mark.parametrize(
    "name",
    [
        "Siti Nur'aini",
        "I Made Wayan",
        "Moh. Ali",
        "Ahmad, S.Pd.",
        "Nur-Aini",
        "Siti Nur’aini",  # the apostrophe phone keyboards type
        "Ani",
        "Dédé Ñurul",
    ],
)
def test_real_names_are_accepted(name: str) -> None:
    assert ok(name=name).name == name.replace("’", "'")


@pytest.mark.parametrize("flag", ["on", "1", "true", "TRUE", True, 1, ["0", "on"]])
def test_no_email_ticked_allows_an_empty_email(flag: object) -> None:
    assert ok(email="", no_email=flag).email is None


@pytest.mark.parametrize("flag", ["", "0", "false", "off", False, 0, None, []])
def test_no_email_not_ticked_requires_an_email(flag: object) -> None:
    assert errors(email="", no_email=flag) == {"email": MSG_EMAIL_REQUIRED}


def test_an_email_given_with_no_email_ticked_is_kept() -> None:
    assert ok(email="Siti@GMAIL.com", no_email="on").email == "Siti@gmail.com"


def test_a_bad_email_is_reported_even_with_no_email_ticked() -> None:
    assert "Alamat email harus berisi satu tanda @" in errors(email="siti", no_email="on")["email"]


def test_npwp_may_be_the_nik_or_the_legacy_number() -> None:
    assert ok(npwp="3505.0145.0790.0012").npwp == "3505014507900012"
    assert ok(npwp="12.345.678.9-012.345").npwp == "123456789012345"


def test_a_bad_nik_does_not_add_a_second_complaint_about_the_npwp() -> None:
    assert set(errors(nik="3505014507900000", npwp="3505014507900012")) == {"nik"}


def test_kecamatan_is_derived_from_the_desa_when_missing() -> None:
    assert ok(kecamatan="").kecamatan == "35.05.01"
    assert ok(kecamatan=None).kecamatan == "35.05.01"
    assert ok(kecamatan="350501", desa="3505012001").desa == "35.05.01.2001"


def test_desa_outside_the_chosen_kecamatan_is_refused() -> None:
    result = errors(kecamatan="35.05.02")
    assert result == {
        "desa": "Desa/kelurahan ini tidak berada di kecamatan yang dipilih. Pilih ulang "
        "kecamatan, lalu pilih desanya."
    }


@pytest.mark.parametrize(
    ("raw", "codes"),
    [
        ("56102", ("56102",)),
        ("56102,47112", ("56102", "47112")),
        ("56102, 47112", ("56102", "47112")),
        ("56102 47112", ("56102", "47112")),
        ("56102;47112\n10710", ("56102", "47112", "10710")),
        ("56102, 56102", ("56102",)),
        (["47112", "56102", "47112"], ("47112", "56102")),
        (["56102, 47112"], ("56102", "47112")),
        ([56102], ("56102",)),
    ],
)
def test_kbli_as_text_or_list(raw: object, codes: tuple[str, ...]) -> None:
    assert ok(kbli=raw).kbli == codes


@pytest.mark.parametrize(
    ("capital", "scale"),
    [
        ("0", Scale.MIKRO),
        ("1.000.000.000", Scale.MIKRO),
        ("1.000.000.001", Scale.KECIL),
        ("5.000.000.000", Scale.KECIL),
        ("5.000.000.001", Scale.MENENGAH),
        ("10.000.000.001", Scale.BESAR),
    ],
)
def test_scale_follows_capital(capital: str, scale: Scale) -> None:
    assert ok(capital=capital).scale is scale


def test_field_service_for_up_to_two_kbli_and_small_businesses() -> None:
    assert ok(kbli="56102,47112", capital="5.000.000.000").referral_reason is None


@pytest.mark.parametrize(
    ("changes", "part"),
    [
        ({"kbli": "56102,47112,10710"}, "Usaha dengan lebih dari dua KBLI dilayani di kantor"),
        ({"capital": "6.000.000.000"}, "Usaha dengan skala Menengah dilayani di kantor DPMPTSP"),
        ({"capital": "20.000.000.000"}, "Usaha dengan skala Besar dilayani"),
        (
            {"kbli": "56102,47112,10710", "capital": "20.000.000.000"},
            "Usaha dengan lebih dari dua KBLI dan skala Besar dilayani",
        ),
    ],
)
def test_referral_to_the_office(changes: dict[str, object], part: str) -> None:
    reason = ok(**changes).referral_reason
    assert reason is not None
    assert part in reason
    assert "pendampingan mandiri" in reason
    assert "Silakan datang ke kantor DPMPTSP Kabupaten Blitar" in reason


def test_canonical_is_json_and_the_same_for_the_same_application_written_differently() -> None:
    a = ok()
    b = ok(
        nik="3505 0145 0790 0012",
        name="  Siti   Nur’aini ",
        phone="+62 812-3456-7890",
        kecamatan="",
        rt=3,
        rw="005",
        kbli=["56102"],
        capital="Rp15.000.000,-",
        workers_male=0,
        workers_female=2,
    )
    assert a.canonical() == b.canonical()
    text = json.dumps(a.canonical())
    assert json.loads(text) == a.canonical()
    assert list(a.canonical()) == sorted(a.canonical())
    assert a.canonical()["birth_date"] == "1990-07-05"
    assert a.canonical()["scale"] == "01"
    assert a.canonical() != ok(workers_male=1).canonical()


def test_unknown_keys_are_ignored() -> None:
    assert isinstance(validate({**FORM, "client_id": "x", "csrf": {"a": 1}}), ApplicationInput)


@pytest.mark.parametrize("field", FIELD_NAMES)
@pytest.mark.parametrize("value", [{"a": 1}, object(), b"bytes", [{"a": 1}], 1.5])
def test_wrong_types_give_a_field_message_not_an_exception(field: str, value: object) -> None:
    result = validate({**FORM, field: value})
    if field == "no_email" and isinstance(value, list | float):
        return  # a list of values is a ticked checkbox; a number is a flag
    assert isinstance(result, dict)
    assert field in result
    assert result[field]


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = (
    scalars
    | st.lists(scalars, max_size=3)
    | st.dictionaries(st.text(max_size=3), scalars, max_size=2)
)


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from(FIELD_NAMES), json_values))
def test_any_json_body_gives_a_result_never_an_exception(changes: dict[str, object]) -> None:
    result = validate({**FORM, **changes})
    if isinstance(result, dict):
        assert set(result) <= set(FIELD_NAMES)
        assert all(isinstance(msg, str) and msg for msg in result.values())
    else:
        json.dumps(result.canonical())


# -- the one field table: form <-> record <-> store ----------------------------------------------
def _valid() -> ApplicationInput:
    result = validate_application(FORM, kbli_exists=KBLI.__contains__,
                                  kecamatan_of_desa=DESA.get, today=TODAY)
    assert isinstance(result, ApplicationInput)
    return result


def test_every_stored_column_comes_from_the_table_and_matches_the_schema(tmp_path: Any) -> None:
    from app.db.connection import migrate_path
    from app.domain.application import COLUMNS

    db = tmp_path / "schema.sqlite3"
    migrate_path(db)
    import sqlite3

    with sqlite3.connect(db) as conn:
        schema = {row[1] for row in conn.execute("PRAGMA table_info(applications)")}
    assert set(COLUMNS) <= schema
    assert set(to_columns(_valid())) == set(COLUMNS)


def test_a_stored_application_reads_back_as_the_same_form_values() -> None:
    data = _valid()
    values = form_values(to_columns(data))
    again = validate_application(values, kbli_exists=KBLI.__contains__,
                                 kecamatan_of_desa=DESA.get, today=TODAY)
    assert again == data
    assert set(values) == set(FIELD_NAMES)
    assert values["no_email"] == ""


def test_no_email_is_shown_ticked_when_the_email_column_is_empty() -> None:
    row = to_columns(_valid()) | {"email": None}
    assert form_values(row)["no_email"] == "on"
    assert form_values(row)["email"] == ""


def test_read_form_takes_every_field_and_nothing_else() -> None:
    form = {**{name: "x" * 900 for name in FIELD_NAMES}, "no_email": "on", "evil": "y"}
    values = read_form(form)
    assert set(values) == set(FIELD_NAMES)
    assert values["no_email"] == "on"
    assert all(len(v) <= 500 for v in values.values())
    assert read_form({})["no_email"] == ""


def test_changed_fields_names_what_differs_in_form_order() -> None:
    before = to_columns(_valid())
    after = before | {"name": "Siti Aminah", "kbli_json": '["47112"]', "scale": "02"}
    assert changed_fields(before, after) == ["nama", "KBLI", "skala usaha"]
    assert changed_fields(before, dict(before)) == []


# -- the round an application is taken at ---------------------------------------------------------
def _with_round(value: object) -> ApplicationInput | dict[str, str]:
    return validate_application({**FORM, "round_id": value}, kbli_exists=KBLI.__contains__,
                                kecamatan_of_desa=DESA.get, today=TODAY,
                                round_exists={7}.__contains__)


def test_a_known_round_is_kept_and_counts_in_the_hash_input() -> None:
    result = _with_round("7")
    assert isinstance(result, ApplicationInput)
    assert result.round_id == 7
    assert result.canonical()["round_id"] == 7
    assert list(result.canonical()) == sorted(result.canonical())
    assert to_columns(result)["round_id"] == 7


def test_no_round_leaves_the_hash_input_as_it_always_was() -> None:
    result = _with_round("")
    assert isinstance(result, ApplicationInput)
    assert result.round_id is None
    assert "round_id" not in result.canonical()


@pytest.mark.parametrize("value", ["8", "abc", "-1", "1" * 12])
def test_an_unknown_or_malformed_round_is_a_field_message(value: str) -> None:
    result = _with_round(value)
    assert isinstance(result, dict)
    assert result == {"round_id": MSG_ROUND}


# -- partner services asked for at the same table -------------------------------------------------
SERVICES = {"halal", "npwp", "pirt"}


def _with_referrals(value: object) -> ApplicationInput | dict[str, str]:
    return validate_application({**FORM, "referrals": value}, kbli_exists=KBLI.__contains__,
                                kecamatan_of_desa=DESA.get, today=TODAY,
                                service_exists=SERVICES.__contains__)


@pytest.mark.parametrize("value", [["halal", "npwp"], "halal,npwp", " HALAL , npwp,halal "])
def test_ticked_services_are_kept_once_in_order(value: object) -> None:
    result = _with_referrals(value)
    assert isinstance(result, ApplicationInput)
    assert result.referrals == ("halal", "npwp")
    assert result.canonical()["referrals"] == ["halal", "npwp"]
    assert list(result.canonical()) == sorted(result.canonical())
    assert "referrals" not in to_columns(result)  # kept in their own table


@pytest.mark.parametrize("value", ["", [], None])
def test_no_services_leave_the_hash_input_as_it_always_was(value: object) -> None:
    result = _with_referrals(value)
    assert isinstance(result, ApplicationInput)
    assert result.referrals == ()
    assert "referrals" not in result.canonical()


@pytest.mark.parametrize("value", [["halal", "kredit"], "x" * 50])
def test_unknown_services_are_a_field_message(value: object) -> None:
    assert _with_referrals(value) == {"referrals": MSG_REFERRAL}


def test_a_form_gives_every_ticked_box() -> None:
    class Form(dict):
        def getall(self, name: str, default: list[str]) -> list[str]:
            return ["halal", "npwp"] if name == "referrals" else default

    assert read_form(Form())["referrals"] == "halal,npwp"
