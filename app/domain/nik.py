"""NIK (Nomor Induk Kependudukan), the 16-digit number on the KTP.

Layout: PP KK CC DDMMYY SSSS
- PP province, KK regency/city, CC district (kecamatan): Kemendagri codes at issuance;
- DDMMYY birth date, with 40 added to the day for women;
- SSSS serial number, never 0000.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from app.domain.errors import FieldError

# Kemendagri (Dukcapil) province codes, as used in NIKs. Papua was split in 2022 into
# Papua (91), Papua Barat (92), Papua Selatan (93), Papua Tengah (94), Papua Pegunungan (95)
# and Papua Barat Daya (96). (BPS numbers the Papua provinces differently, up to 97, but
# the NIK follows Kemendagri, which has no 97.)
PROVINCE_CODES: frozenset[str] = frozenset(
    [str(n) for n in range(11, 20)]  # Sumatra: Aceh .. Kepulauan Bangka Belitung
    + ["21"]  # Kepulauan Riau
    + [str(n) for n in range(31, 37)]  # Java: DKI Jakarta .. Banten
    + [str(n) for n in range(51, 54)]  # Bali, NTB, NTT
    + [str(n) for n in range(61, 66)]  # Kalimantan
    + [str(n) for n in range(71, 77)]  # Sulawesi
    + ["81", "82"]  # Maluku, Maluku Utara
    + [str(n) for n in range(91, 97)]  # Papua (six provinces)
)

_STRIP = str.maketrans("", "", " .-\t\n\r\u00a0")
_CHECK_KTP = "Periksa kembali angka di KTP."

MSG_EMPTY = "NIK wajib diisi. Ketik 16 angka NIK yang tertulis di KTP."
MSG_NOT_DIGITS = "NIK hanya berisi angka (16 angka), tanpa huruf. " + _CHECK_KTP
MSG_REPEATED = "NIK tidak mungkin berisi satu angka yang sama semua. " + _CHECK_KTP
MSG_REGENCY = "Angka ke-3 dan ke-4 NIK (kode kabupaten/kota) tidak boleh 00. " + _CHECK_KTP
MSG_DISTRICT = "Angka ke-5 dan ke-6 NIK (kode kecamatan) tidak boleh 00. " + _CHECK_KTP
MSG_DATE = (
    "Angka ke-7 sampai ke-12 NIK harus tanggal lahir (tanggal, bulan, tahun; untuk "
    "perempuan tanggal ditambah 40). " + _CHECK_KTP
)
MSG_SERIAL = "Empat angka terakhir NIK tidak boleh 0000. " + _CHECK_KTP


def msg_length(count: int) -> str:
    return f"NIK harus 16 angka, yang diisi {count} angka. {_CHECK_KTP}"


def msg_province(code: str) -> str:
    return f"Dua angka pertama NIK ({code}) bukan kode provinsi. {_CHECK_KTP}"


@dataclass(frozen=True)
class Nik:
    """A NIK that passed every check, with its parts decoded.

    ``province``, ``regency`` and ``district`` are the 2-digit parts as written in the NIK
    (e.g. "35", "05", "01"); ``region_code`` gives the dotted Kemendagri form.
    """

    value: str
    province: str
    regency: str
    district: str
    birth_date: date
    sex: Literal["L", "P"]

    @property
    def region_code(self) -> str:
        """Kemendagri code of the district at issuance, e.g. "35.05.01"."""
        return f"{self.province}.{self.regency}.{self.district}"


def clean_nik(raw: str) -> str:
    """Remove the spaces, dots and dashes people type between groups of digits."""
    return raw.translate(_STRIP)


def _birth_date(ddmmyy: str, today: date) -> tuple[date, Literal["L", "P"]]:
    day, month, yy = int(ddmmyy[0:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
    sex: Literal["L", "P"] = "L"
    if day > 40:
        day -= 40
        sex = "P"
    # A two-digit year is read as 20YY unless that would be after today.
    in_this_century = (2000 + yy, month, day) <= (today.year, today.month, today.day)
    year = 2000 + yy if in_this_century else 1900 + yy
    try:
        born = date(year, month, day)
    except ValueError:
        raise FieldError(MSG_DATE) from None
    if born > today or born.year < 1900:
        raise FieldError(MSG_DATE)
    return born, sex


def parse_nik(raw: str, today: date) -> Nik:
    """Check a NIK typed by a user and decode it. Raises FieldError with a specific message."""
    if not isinstance(raw, str):
        raise FieldError(MSG_NOT_DIGITS)
    value = clean_nik(raw)
    if not value:
        raise FieldError(MSG_EMPTY)
    if not (value.isascii() and value.isdigit()):
        raise FieldError(MSG_NOT_DIGITS)
    if len(value) != 16:
        raise FieldError(msg_length(len(value)))
    if len(set(value)) == 1:
        raise FieldError(MSG_REPEATED)
    province, regency, district = value[0:2], value[2:4], value[4:6]
    if province not in PROVINCE_CODES:
        raise FieldError(msg_province(province))
    if regency == "00":
        raise FieldError(MSG_REGENCY)
    if district == "00":
        raise FieldError(MSG_DISTRICT)
    born, sex = _birth_date(value[6:12], today)
    if value[12:16] == "0000":
        raise FieldError(MSG_SERIAL)
    return Nik(
        value=value,
        province=province,
        regency=regency,
        district=district,
        birth_date=born,
        sex=sex,
    )


def mask_nik(value: str) -> str:
    """Show a NIK in lists without revealing it: "3505••••••••0012"."""
    if len(value) <= 8:
        return "•" * len(value)
    return value[:4] + "•" * (len(value) - 8) + value[-4:]
