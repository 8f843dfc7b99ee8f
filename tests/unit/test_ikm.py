"""The satisfaction index (Permenpan-RB 14/2017) against examples worked by hand."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from app.domain.ikm import (
    ELEMENTS,
    compute,
    from_sums,
    grade_of,
    period,
    read_answers,
    to_decimal,
)


def test_nine_elements_each_with_four_answers_as_in_the_questionnaire() -> None:
    assert [e.code for e in ELEMENTS] == [f"u{i}" for i in range(1, 10)]
    assert all(len(e.answers) == 4 for e in ELEMENTS)
    assert ELEMENTS[0].question == ("Bagaimana pendapat Saudara tentang kesesuaian persyaratan "
                                    "pelayanan dengan jenis pelayanannya?")
    assert ELEMENTS[0].answers == ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")
    assert ELEMENTS[3].answers[-1] == "Gratis"


def test_two_respondents_by_hand() -> None:
    # Respondent A answers 4 everywhere, B answers 3 everywhere except U4 (cost) = 4.
    # Element means: U1..U3, U5..U9 = 3.5, U4 = 4. Sum of means = 8 * 3.5 + 4 = 32.
    # IKM = 32 / 9 * 25 = 800 / 9 = 88.888... -> 88.89, grade A.
    result = compute([[4] * 9, [3, 3, 3, 4, 3, 3, 3, 3, 3]])
    assert result.respondents == 2
    assert result.means[3] == 4 and result.means[0] == Fraction(7, 2)
    assert result.index == Fraction(800, 9)
    assert to_decimal(result.index) == Decimal("88.89")
    assert result.grade is not None and result.grade.letter == "A"
    assert result.grade.label == "Sangat Baik"


def test_all_ones_and_all_fours_are_the_ends_of_the_scale() -> None:
    assert compute([[1] * 9]).index == 25
    assert compute([[4] * 9]).index == 100
    assert grade_of(Fraction(25)).letter == "D"
    assert grade_of(Fraction(100)).letter == "A"


def test_rounding_each_element_first_would_give_another_grade() -> None:
    # Nine respondents answer 3 or 4. Per element, the number of 4s is the sum minus 27:
    sums = [27, 33, 32, 35, 32, 30, 34, 31, 32]
    responses = [[4 if j < s - 27 else 3 for s in sums] for j in range(9)]
    # Exact: sum of sums = 286; means sum to 286/9; IKM = 286/9/9*25 = 7150/81
    #        = 88.2716... -> shown 88.27 -> B (Baik).
    result = compute(responses)
    assert result.index == Fraction(7150, 81)
    assert to_decimal(result.index) == Decimal("88.27")
    assert result.grade is not None and result.grade.letter == "B"
    # Rounding each element's mean to 2 decimals first: 3.00, 3.67, 3.56, 3.89, 3.56,
    # 3.33, 3.78, 3.44, 3.56 sum to 31.79; 31.79 / 9 * 25 = 88.3055... -> 88.31 -> A.
    rounded = [Decimal(s) / 9 for s in sums]
    rounded = [r.quantize(Decimal("0.01")) for r in rounded]
    assert sum(rounded) == Decimal("31.79")
    wrong = Fraction(sum(rounded)) / 9 * 25
    assert grade_of(wrong).letter == "A"


@pytest.mark.parametrize(("value", "letter"), [
    ("100", "A"), ("88.31", "A"), ("88.305", "A"),  # shown as 88.31
    ("88.30499", "B"), ("88.30", "B"), ("76.61", "B"), ("76.605", "B"),
    ("76.6049", "C"), ("76.60", "C"), ("65.00", "C"), ("64.995", "C"),
    ("64.9949", "D"), ("64.99", "D"), ("25", "D"),
])
def test_bands_at_their_edges_decided_on_the_value_shown(value: str, letter: str) -> None:
    assert grade_of(Fraction(value)).letter == letter


def test_the_same_index_from_sums_as_from_responses() -> None:
    responses = [[1, 2, 3, 4, 1, 2, 3, 4, 1], [4, 4, 4, 4, 4, 4, 4, 4, 4], [2] * 9]
    sums = [sum(r[i] for r in responses) for i in range(9)]
    assert from_sums(3, sums) == compute(responses)
    assert compute([]).index is None and compute([]).grade is None


def test_answers_are_read_with_a_message_per_missing_question() -> None:
    form = {f"u{i}": "3" for i in range(1, 10)} | {"gender": "P", "age_group": ""}
    answers, errors = read_answers(form)
    assert errors == {} and answers is not None
    assert answers.scores == (3,) * 9 and answers.profile["gender"] == "P"
    assert answers.profile["age_group"] is None
    answers, errors = read_answers({"u1": "5", "u2": "x", "gender": "X"})
    assert answers is None
    assert set(errors) == {f"u{i}" for i in range(1, 10)} | {"gender"}


def test_periods() -> None:
    assert period(2026, month=2).last.isoformat() == "2026-02-28"
    assert period(2026, month=12).last.isoformat() == "2026-12-31"
    assert period(2026, semester=2).first.isoformat() == "2026-07-01"
    assert period(2026).label == "Tahun 2026"
