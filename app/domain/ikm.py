"""The satisfaction survey (Survei Kepuasan Masyarakat, Permenpan-RB 14/2017) and its index.

Nine service elements U1–U9, each answered 1–4. The index (IKM) is the mean over the nine
elements of each element's mean score (weight 1/9 each), times 25: a value from 25 to 100.

Arithmetic is exact (``Fraction``); nothing is rounded until it is shown. The grade is
decided on the index rounded half-up to 2 decimals, because the regulation's table of
bands is written in 2 decimals and leaves gaps between them (88.30 | 88.31): an exact
88.305 shows as 88.31 and is an A, an exact 88.3049… shows as 88.30 and is a B. So the
grade always matches the number printed beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Element:
    code: str  # "u1" .. "u9": the form field and the column
    name: str  # the element as the regulation names it
    question: str
    answers: tuple[str, str, str, str]  # a, b, c, d = scores 1, 2, 3, 4


# The elements in the order of the regulation's list of elements (Lampiran, II.A); the
# questions and answers as worded in its sample questionnaire.
ELEMENTS: tuple[Element, ...] = (
    Element("u1", "Persyaratan",
            "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis "
            "pelayanannya?",
            ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    Element("u2", "Sistem, mekanisme, dan prosedur",
            "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
            ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
    Element("u3", "Waktu penyelesaian",
            "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
            ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
    Element("u4", "Biaya/tarif",
            "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
            ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
    Element("u5", "Produk spesifikasi jenis pelayanan",
            "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang "
            "tercantum dalam standar pelayanan dengan hasil yang diberikan?",
            ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    Element("u6", "Kompetensi pelaksana",
            "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
            ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
    Element("u7", "Perilaku pelaksana",
            "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait "
            "kesopanan dan keramahan?",
            ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah",
             "Sangat sopan dan ramah")),
    Element("u8", "Penanganan pengaduan, saran, dan masukan",
            "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
            ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal",
             "Dikelola dengan baik")),
    Element("u9", "Sarana dan prasarana",
            "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
            ("Buruk", "Cukup", "Baik", "Sangat baik")),
)
ELEMENT_CODES = tuple(e.code for e in ELEMENTS)

# The optional respondent profile the questionnaire asks for (grouped: no exact age).
PROFILE: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "gender": ("Jenis kelamin", (("L", "Laki-laki"), ("P", "Perempuan"))),
    "age_group": ("Umur", (("<25", "Di bawah 25 tahun"), ("25-34", "25–34 tahun"),
                          ("35-44", "35–44 tahun"), ("45-54", "45–54 tahun"),
                          ("55+", "55 tahun ke atas"))),
    "education": ("Pendidikan terakhir", (("SD", "SD ke bawah"), ("SMP", "SMP"),
                                          ("SMA", "SMA/SMK"), ("D", "D1/D2/D3/D4"),
                                          ("S1", "S1"), ("S2", "S2/S3"))),
    "occupation": ("Pekerjaan utama", (("PNS", "PNS"), ("TNI", "TNI"), ("POLRI", "POLRI"),
                                       ("SWASTA", "Pegawai swasta"),
                                       ("WIRAUSAHA", "Wirausaha"), ("LAINNYA", "Lainnya"))),
}

MSG_ANSWER = "Pilih salah satu jawaban untuk pertanyaan ini."
MSG_PROFILE = "Pilihan tidak dikenal. Pilih dari daftar, atau biarkan kosong."

SCORE_FACTOR = 25


@dataclass(frozen=True, slots=True)
class SurveyAnswers:
    scores: tuple[int, ...]  # U1..U9, each 1..4
    profile: dict[str, str | None]


def read_answers(form: Mapping[str, object]) -> tuple[SurveyAnswers | None, dict[str, str]]:
    """A filled questionnaire, or the errors per field (Bahasa Indonesia)."""
    errors: dict[str, str] = {}
    scores: list[int] = []
    for element in ELEMENTS:
        raw = str(form.get(element.code, "") or "").strip()
        if raw not in ("1", "2", "3", "4"):
            errors[element.code] = MSG_ANSWER
            continue
        scores.append(int(raw))
    profile: dict[str, str | None] = {}
    for name, (_, options) in PROFILE.items():
        raw = str(form.get(name, "") or "").strip()
        if not raw:
            profile[name] = None
        elif raw in dict(options):
            profile[name] = raw
        else:
            errors[name] = MSG_PROFILE
    if errors:
        return None, errors
    return SurveyAnswers(tuple(scores), profile), {}


# -- the index --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Grade:
    letter: str
    label: str  # mutu pelayanan
    lower: Decimal  # the band's lower edge, as the regulation writes it


GRADES: tuple[Grade, ...] = (
    Grade("A", "Sangat Baik", Decimal("88.31")),
    Grade("B", "Baik", Decimal("76.61")),
    Grade("C", "Kurang Baik", Decimal("65.00")),
    Grade("D", "Tidak Baik", Decimal("25.00")),
)


def to_decimal(value: Fraction, places: int = 2) -> Decimal:
    """An exact value rounded half-up for display (2 decimals by default)."""
    scaled = value * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:  # half-up (values are never negative here)
        whole += 1
    return Decimal(whole).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def grade_of(index: Fraction) -> Grade:
    """The band of an exact index, decided on the index rounded to 2 decimals."""
    shown = to_decimal(index)
    for grade in GRADES:
        if shown >= grade.lower:
            return grade
    return GRADES[-1]


@dataclass(frozen=True, slots=True)
class IkmResult:
    respondents: int
    means: tuple[Fraction, ...]  # per element, 1..4 (the regulation's NRR)
    index: Fraction | None  # 25..100, None without respondents

    @property
    def grade(self) -> Grade | None:
        return grade_of(self.index) if self.index is not None else None

    @property
    def element_scores(self) -> tuple[Fraction, ...]:
        """Each element's mean on the index's scale (× 25), for the chart."""
        return tuple(m * SCORE_FACTOR for m in self.means)


def compute(responses: Iterable[Sequence[int]]) -> IkmResult:
    """The index of a set of responses (each nine scores 1–4), exactly."""
    count = 0
    sums = [0] * len(ELEMENTS)
    for scores in responses:
        if len(scores) != len(ELEMENTS) or any(s not in (1, 2, 3, 4) for s in scores):
            raise ValueError("a response has nine scores from 1 to 4")
        count += 1
        for i, score in enumerate(scores):
            sums[i] += score
    return from_sums(count, sums)


def from_sums(count: int, sums: Sequence[int]) -> IkmResult:
    """The same index from per-element sums (what SQL aggregates)."""
    if count == 0:
        return IkmResult(0, (), None)
    means = tuple(Fraction(int(s), count) for s in sums)
    return IkmResult(count, means, sum(means, Fraction(0)) / len(ELEMENTS) * SCORE_FACTOR)


# -- the period a result covers -----------------------------------------------------------------

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date
    label: str


def period(year: int, semester: int | None = None, month: int | None = None) -> Period:
    """A year, one of its two semesters, or one of its months (WIB dates, inclusive)."""
    if month is not None:
        if not 1 <= month <= 12:
            raise ValueError("month 1..12")
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return Period(date(year, month, 1), date.fromordinal(nxt.toordinal() - 1),
                      f"{MONTHS[month - 1]} {year}")
    if semester is not None:
        if semester not in (1, 2):
            raise ValueError("semester 1 or 2")
        if semester == 1:
            return Period(date(year, 1, 1), date(year, 6, 30), f"Semester I {year}")
        return Period(date(year, 7, 1), date(year, 12, 31), f"Semester II {year}")
    return Period(date(year, 1, 1), date(year, 12, 31), f"Tahun {year}")
