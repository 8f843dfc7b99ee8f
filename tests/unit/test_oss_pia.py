"""PIA: the receiveNIB token, NIB parsing, answer shapes and what a pushed dataNIB says."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from app.oss.pia import (
    check_answer,
    inquery_answer,
    micro_business_record,
    parse_nib,
    pia_token,
    read_pushed_nib,
    receive_answer,
    token_days,
    token_valid,
)


def test_token_is_sha1_of_username_password_nib_and_ymd() -> None:
    token = pia_token("dpmptsp", "rahasia", "9120001234567", date(2026, 11, 29))
    assert token == hashlib.sha1(b"dpmptsprahasia912000123456720261129").hexdigest()
    assert token == "643f504e6c5d7cd89e3ada17460b64c043ec9630"


def test_token_date_is_wib_and_tolerates_the_day_either_side() -> None:
    # 20:00 UTC on the 28th is 03:00 WIB on the 29th
    late = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)
    assert token_days(late)[0] == date(2026, 11, 29)
    for day in (date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30)):
        assert token_valid(pia_token("u", "p", "9120001234567", day), "u", "p",
                           "9120001234567", late)
    assert not token_valid(pia_token("u", "p", "9120001234567", date(2026, 11, 27)), "u", "p",
                           "9120001234567", late)
    good = pia_token("u", "p", "9120001234567", date(2026, 11, 29))
    assert token_valid(good.upper(), "u", "p", "9120001234567", late)  # hex case ignored
    assert not token_valid(good, "u", "p", "9120001234568", late)  # another NIB
    assert not token_valid(good, "u", "x", "9120001234567", late)  # another password
    assert not token_valid(None, "u", "p", "9120001234567", late)
    assert not token_valid(good, "", "", "9120001234567", late)  # unconfigured: refuse


def test_parse_nib() -> None:
    assert parse_nib("9120001234567") == "9120001234567"
    assert parse_nib(" 9120 0012 34567 ") == "9120001234567"
    assert parse_nib("9120.0012.34567") == "9120001234567"
    assert parse_nib(9120001234567) == "9120001234567"
    for bad in ("912000123456", "91200012345678", "91200012345a7", "0000000000000", "",
                None, True, "٩١٢٠٠٠١٢٣٤٥٦٧"):
        assert parse_nib(bad) is None


def test_answer_shapes() -> None:
    assert receive_answer(True, "Berhasil menyimpan data") == {
        "responreceiveNIB": {"status": "1", "keterangan": "Berhasil menyimpan data"}}
    assert receive_answer(False, "x")["responreceiveNIB"]["status"] == "2"
    assert check_answer(200, "Sukses", {"nib": "1", "nama_perusahaan": "A", "status": "01"}) == {
        "responcheckNIB": {"kode": 200, "keterangan": "Sukses",
                           "dataNIB": {"nib": "1", "nama_perusahaan": "A", "status": "01"}}}
    assert inquery_answer(400, "Data NIB tidak ditemukan", None) == {
        "responinqueryNIB": {"kode": 400, "keterangan": "Data NIB tidak ditemukan"}}


def test_read_pushed_nib_takes_nik_and_kbli_from_the_record() -> None:
    record = micro_business_record(
        nib="9120001234567", oss_id="P-1", issued_at=datetime(2026, 11, 29, tzinfo=UTC),
        nik="3505014507900012", name="Siti", business_name="Warung",
        kblis=[("56102", "Warung Makan"), ("47111", "Toko")])
    pushed = read_pushed_nib(record)
    assert pushed is not None
    assert pushed.nib == "9120001234567"
    assert pushed.niks == ("3505014507900012",)
    assert pushed.kblis == ("56102", "47111")
    # a KBLI sent as a number keeps its leading zero; junk is skipped
    record["data_proyek"] = [{"kbli": 1111}, {"kbli": "abc"}, "junk"]
    assert read_pushed_nib(record).kblis == ("01111",)
    assert read_pushed_nib({"nib": "-"}) is None
    assert read_pushed_nib("not a record") is None
