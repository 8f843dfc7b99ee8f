"""The referral rules: what an agency may record, the NPWP reference, what the applicant
sees, the admin's service form, and who a mitra account belongs to."""

from __future__ import annotations

from app.domain.access import can_see_referral
from app.domain.referrals import (
    Outcome,
    ServiceInput,
    citizen_reference,
    masked_reference,
    validate_outcome,
    validate_service,
)
from app.domain.users import MSG_AGENCY, agency_for_role
from tests.unit.test_access import Person

NIK = "3505014507900012"


def test_done_needs_the_reference_number_named_by_the_service() -> None:
    errors = validate_outcome("done", "  ", "", "halal", "Nomor STTD", NIK)
    assert errors == {"reference_number": "Isi Nomor STTD: layanan yang selesai dibuktikan "
                                          "dengan nomor dari instansi."}
    assert validate_outcome("consulted", "", "", "pbg", "Nomor konsultasi", NIK) == Outcome(
        "consulted", None, None)
    assert validate_outcome("done", " STTD  12/3 ", " ok ", "halal", "Nomor STTD", NIK) == \
        Outcome("done", "STTD 12/3", "ok")


def test_only_the_four_outcomes_and_plain_reference_characters() -> None:
    assert set(validate_outcome("requested", "", "", "kur", "Nomor", NIK)) == {"status"}
    assert set(validate_outcome("", "", "", "kur", "Nomor", NIK)) == {"status"}
    assert set(validate_outcome("done", "<b>1</b>", "", "kur", "Nomor", NIK)) == {
        "reference_number"}
    assert set(validate_outcome("done", "1" * 61, "", "kur", "Nomor", NIK)) == {
        "reference_number"}
    assert set(validate_outcome("follow_up", "", "x" * 501, "kur", "Nomor", NIK)) == {"note"}


def test_npwp_reference_is_an_npwp_of_this_applicant_stored_as_digits() -> None:
    assert validate_outcome("done", "12.345.678.9-012.345", "", "npwp", "NPWP", NIK) == \
        Outcome("done", "123456789012345", None)
    assert validate_outcome("done", NIK, "", "npwp", "NPWP", NIK) == Outcome("done", NIK, None)
    assert "sama dengan NIK" in validate_outcome(
        "done", "3505014507900013", "", "npwp", "NPWP", NIK)["reference_number"]
    assert "15 angka" in validate_outcome("done", "1234", "", "npwp", "NPWP", NIK)[
        "reference_number"]


def test_the_applicant_sees_a_number_once_done_and_an_npwp_masked() -> None:
    assert citizen_reference("halal", "consulted", "STTD-1") is None
    assert citizen_reference("halal", "done", "STTD-1") == "STTD-1"
    assert citizen_reference("npwp", "done", NIK) == "•" * 12 + "0012"
    assert masked_reference("kur", "KUR-9") == "KUR-9"


def test_service_form_checks_each_field() -> None:
    ok = validate_service({"name": " Izin  PIRT ", "brings": "KTP\n\n NIB \n",
                           "reference_label": "Nomor P-IRT", "position": "2", "active": "1"})
    assert ok == ServiceInput("Izin PIRT", "KTP\nNIB", "Nomor P-IRT", False, True, 2)
    bad = validate_service({"name": "ab", "brings": "", "reference_label": "N",
                            "position": "-1"})
    assert set(bad) == {"name", "brings", "reference_label", "position"}
    assert "brings" in validate_service({"name": "Izin", "brings": "x" * 121,
                                         "reference_label": "No", "position": "1"})


def test_a_mitra_belongs_to_exactly_one_known_agency() -> None:
    assert agency_for_role("mitra", 3, {1, 3}) == (3, None)
    assert agency_for_role("mitra", None, {1, 3}) == (None, MSG_AGENCY)
    assert agency_for_role("mitra", 9, {1, 3}) == (None, MSG_AGENCY)
    assert agency_for_role("officer", 3, {1, 3}) == (None, None)  # others belong to none


def test_a_mitra_sees_its_own_agency_referrals_and_an_admin_all() -> None:
    assert can_see_referral(Person(5, "mitra"), 3, 3)
    assert not can_see_referral(Person(5, "mitra"), 3, 4)
    assert not can_see_referral(Person(5, "mitra"), None, 4)
    assert can_see_referral(Person(1, "admin"), None, 4)
    assert not can_see_referral(Person(2, "officer"), 4, 4)
