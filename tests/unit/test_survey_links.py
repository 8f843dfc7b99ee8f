"""The survey link's token: the signed application id, nothing else."""

from __future__ import annotations

from app.notify.tokens import SurveyTokens


def test_token_round_trip_and_forgery() -> None:
    tokens = SurveyTokens("secret-a")
    token = tokens.issue(42)
    assert tokens.verify(token) == 42
    head, _, sig = token.partition(".")
    assert head == "42"
    assert tokens.verify(f"43.{sig}") is None
    assert SurveyTokens("secret-b").verify(token) is None
    for bad in ("", "42", "42.", "x.y", "٤٢." + sig, "4" * 40 + "." + sig):
        assert tokens.verify(bad) is None


def test_the_citizens_issued_push_opens_the_survey_the_officers_does_not() -> None:
    from app.notify.messages import payload_for

    event = {"tracking_code": "ABCDEFG", "application_id": 42}
    tokens = SurveyTokens("secret-a")

    def path(app_id: int) -> str:
        return f"/survei/{tokens.issue(app_id)}"

    citizen, _ = payload_for(event, "issued", "citizen", path)
    assert citizen["url"] == path(42) and "survei" in citizen["body"]
    officer, _ = payload_for(event, "issued", "officer", path)
    assert officer["url"] == "/petugas/permohonan/ABCDEFG" and "survei" not in officer["body"]
    submitted, _ = payload_for(event, "submitted", "citizen", path)
    assert submitted["url"] == "/cek?kode=ABCDEFG"
