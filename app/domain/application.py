"""The capture form: one application for a NIB, checked field by field.

``validate_application`` is the authority on the server. It takes what arrived from a form
(strings) or a JSON body (strings, numbers, lists, booleans) and returns either a clean
``ApplicationInput`` or one message per bad field, in Bahasa Indonesia.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.email import normalize_email
from app.domain.errors import FieldError
from app.domain.nik import Nik, parse_nik
from app.domain.npwp import normalize_npwp
from app.domain.phone import normalize_phone
from app.domain.scale import MSG_DECIMAL, MSG_FORMAT, Scale, parse_rupiah, scale_for_capital

MAX_FIELD_KBLI = 2  # more KBLI codes than this: served at the office, not in the field
MAX_KBLI_CODES = 20  # a sanity limit on one request
MAX_WORKERS = 10_000
MAX_REFERRALS = 12

@dataclass(frozen=True, slots=True)
class Field:
    """One field of the application form: the single place that names it.

    ``name`` is the form/JSON key, ``label`` what the form shows, ``short`` how a sentence
    names it ("diubah: nama, KBLI"), ``column`` where it is stored (None: not stored as
    such), ``kind`` how it is read and stored: ``text``, ``flag`` (a checkbox), ``codes``
    (a list of KBLI codes, stored as JSON text) or ``region`` (a Kemendagri code picked from
    a list). The remaining attributes describe the input element.
    """

    name: str
    label: str
    short: str
    column: str | None
    kind: str = "text"
    max_length: int = 100
    required: bool = True
    inputmode: str | None = None
    input_type: str = "text"
    placeholder: str | None = None
    help: str | None = None


FIELDS: tuple[Field, ...] = (
    Field("nik", "NIK (16 angka di KTP)", "NIK", "nik", max_length=24, inputmode="numeric"),
    Field("name", "Nama lengkap sesuai KTP", "nama", "name"),
    Field("phone", "Nomor WhatsApp", "nomor WhatsApp", "phone", max_length=20,
          inputmode="tel", input_type="tel", placeholder="08xx-xxxx-xxxx"),
    Field("email", "Email", "email", "email", max_length=254, required=False,
          inputmode="email", input_type="email"),
    Field("no_email", "Tidak punya email", "tanpa email", None, kind="flag", required=False),
    Field("npwp", "NPWP (jika ada)", "NPWP", "npwp", max_length=24, required=False,
          inputmode="numeric",
          help="15 angka, atau NIK bagi yang sudah memakai NPWP 16 digit."),
    Field("business_name", "Nama usaha", "nama usaha", "business_name"),
    Field("kbli", "Kegiatan usaha (KBLI)", "KBLI", "kbli_json", kind="codes", max_length=60,
          inputmode="numeric", placeholder="contoh: 56102",
          help="Kode 5 angka; lebih dari satu dipisah koma. Cari dengan kata sehari-hari."),
    Field("capital", "Modal usaha (Rp)", "modal", "capital", max_length=25,
          inputmode="numeric", placeholder="contoh: 5.000.000",
          help="Tidak termasuk tanah dan bangunan."),
    Field("workers_male", "Tenaga kerja laki-laki", "tenaga kerja laki-laki", "workers_male",
          max_length=5, required=False, inputmode="numeric"),
    Field("workers_female", "Tenaga kerja perempuan", "tenaga kerja perempuan",
          "workers_female", max_length=5, required=False, inputmode="numeric"),
    Field("kecamatan", "Kecamatan", "kecamatan", "kecamatan", kind="region", max_length=13),
    Field("desa", "Desa / kelurahan", "desa", "desa", kind="region", max_length=13),
    Field("rt", "RT", "RT", "rt", max_length=3, inputmode="numeric"),
    Field("rw", "RW", "RW", "rw", max_length=3, inputmode="numeric"),
    Field("street", "Jalan / dusun / patokan", "alamat", "street", max_length=200),
    Field("referrals", "Layanan instansi mitra yang diminta", "layanan mitra", None,
          kind="services", max_length=400, required=False),
    Field("round_id", "Sesi layanan keliling", "sesi layanan", "round_id", kind="round",
          max_length=10, required=False),
)
FIELD: Mapping[str, Field] = {field.name: field for field in FIELDS}
FIELD_NAMES: tuple[str, ...] = tuple(field.name for field in FIELDS)
# Stored columns worked out from the fields (the NIK gives sex and birth date, the capital
# the scale), with how a sentence names them.
DERIVED_COLUMNS: Mapping[str, str] = {
    "sex": "jenis kelamin", "birth_date": "tanggal lahir", "scale": "skala usaha",
}
COLUMNS: tuple[str, ...] = (
    *(field.column for field in FIELDS if field.column is not None), *DERIVED_COLUMNS,
)
_SHORT_OF_COLUMN: Mapping[str, str] = {
    **{field.column: field.short for field in FIELDS if field.column is not None},
    **DERIVED_COLUMNS,
}
MAX_FORM_VALUE = 500  # what a form value is cut to before validation (the widest field is 254)

MSG_TYPE = "Isian ini tidak dikenali. Hapus lalu ketik ulang isinya."

MSG_NAME_EMPTY = "Nama wajib diisi sesuai KTP."
MSG_NAME_SHORT = "Nama terlalu pendek. Tulis nama lengkap sesuai KTP (minimal 3 huruf)."
MSG_NAME_LONG = "Nama terlalu panjang (maksimal 100 karakter). Tulis nama sesuai KTP."
MSG_NAME_CHARS = (
    "Nama hanya boleh berisi huruf, spasi, dan tanda . ' , - (tanpa angka). Tulis nama sesuai KTP."
)

MSG_EMAIL_REQUIRED = "Isi alamat email, atau centang 'Tidak punya email'."
MSG_NO_EMAIL_TYPE = "Pilihan 'Tidak punya email' tidak dikenali. Centang atau kosongkan lagi."

MSG_BUSINESS_EMPTY = "Nama usaha wajib diisi, misalnya Warung Bu Siti atau UD. Sumber Rejeki."
MSG_BUSINESS_SHORT = (
    "Nama usaha terlalu pendek (minimal 3 karakter). Tulis nama yang dikenal pembeli, "
    "misalnya Warung Bu Siti."
)
MSG_BUSINESS_LONG = "Nama usaha terlalu panjang (maksimal 100 karakter). Singkat namanya."
MSG_BUSINESS_CHARS = (
    "Nama usaha berisi tanda yang tidak bisa dipakai. Gunakan huruf, angka, dan tanda baca biasa."
)

MSG_STREET_EMPTY = "Alamat usaha wajib diisi, misalnya Jl. Raya Wonodadi No. 5 atau Dusun Krajan."
MSG_STREET_SHORT = (
    "Alamat usaha terlalu pendek (minimal 3 karakter). Tulis jalan dan nomor, atau dusun."
)
MSG_STREET_LONG = "Alamat usaha terlalu panjang (maksimal 200 karakter). Singkat alamatnya."
MSG_STREET_CHARS = (
    "Alamat usaha berisi tanda yang tidak bisa dipakai. Gunakan huruf, angka, dan tanda baca biasa."
)

MSG_KECAMATAN_FORMAT = "Kecamatan tidak dikenali. Pilih kecamatan dari daftar."
MSG_DESA_EMPTY = "Pilih kecamatan, lalu desa/kelurahan tempat usaha."
MSG_DESA_FORMAT = "Desa/kelurahan tidak dikenali. Pilih desa/kelurahan dari daftar."
MSG_DESA_UNKNOWN = (
    "Desa/kelurahan ini tidak ada di Kabupaten Blitar. Pilih desa/kelurahan dari daftar."
)
MSG_DESA_MISMATCH = (
    "Desa/kelurahan ini tidak berada di kecamatan yang dipilih. Pilih ulang kecamatan, "
    "lalu pilih desanya."
)

MSG_REFERRAL = "Layanan instansi mitra tidak dikenali. Pilih layanan dari daftar."
MSG_ROUND = "Sesi layanan tidak dikenali. Pilih sesi dari daftar, atau kosongkan."
MSG_KBLI_EMPTY = "Pilih minimal satu kegiatan usaha (kode KBLI)."
MSG_KBLI_TOO_MANY = (
    f"Paling banyak {MAX_KBLI_CODES} kode KBLI dalam satu permohonan. Hapus kode yang tidak perlu."
)

_BUSINESS_MESSAGES = (MSG_BUSINESS_EMPTY, MSG_BUSINESS_SHORT, MSG_BUSINESS_LONG,
                      MSG_BUSINESS_CHARS)
_STREET_MESSAGES = (MSG_STREET_EMPTY, MSG_STREET_SHORT, MSG_STREET_LONG, MSG_STREET_CHARS)

_OFFICE = (
    "Silakan datang ke kantor DPMPTSP Kabupaten Blitar pada jam kerja dengan membawa KTP "
    "(dan NPWP jika ada); petugas akan mendampingi pendaftaran di OSS."
)

_FALSE = frozenset({"", "0", "false", "off", "no", "tidak", "n"})
_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "´": "'"})
_NAME_PUNCT = frozenset(" .',-")
_KECAMATAN = re.compile(r"\d{2}\.\d{2}\.\d{2}", re.ASCII)
_DESA = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}", re.ASCII)
_KBLI = re.compile(r"\d{5}", re.ASCII)
_KBLI_SPLIT = re.compile(r"[\s,;]+")
_THOUSANDS = re.compile(r"\d{1,2}\.\d{3}")
_ALNUM = re.compile(r"[^\W_]")  # one character for which str.isalnum() is true (re docs)


@dataclass(frozen=True)
class ApplicationInput:
    """A valid application, every value normalised.

    ``sex`` ("L"/"P") and ``birth_date`` come from the NIK; ``scale`` from the capital.
    """

    nik: str
    name: str
    sex: str
    birth_date: date
    phone: str
    email: str | None
    npwp: str | None
    business_name: str
    kecamatan: str
    desa: str
    rt: str
    rw: str
    street: str
    kbli: tuple[str, ...]
    capital: int
    workers_male: int
    workers_female: int
    scale: Scale
    round_id: int | None = None  # the round (sesi layanan) it was taken at, if any
    referrals: tuple[str, ...] = ()  # codes of partner services the applicant asks for

    def canonical(self) -> dict[str, Any]:
        """A JSON-serialisable dict with sorted keys: hash ``json.dumps(...)`` of it to tell
        whether two requests carry the same application."""
        data: dict[str, Any] = {  # in sorted key order (the hash's bytes depend on it)
            "birth_date": self.birth_date.isoformat(),
            "business_name": self.business_name,
            "capital": self.capital,
            "desa": self.desa,
            "email": self.email,
            "kbli": list(self.kbli),
            "kecamatan": self.kecamatan,
            "name": self.name,
            "nik": self.nik,
            "npwp": self.npwp,
            "phone": self.phone,
            "rt": self.rt,
            "rw": self.rw,
            "scale": self.scale.value,
            "sex": self.sex,
            "street": self.street,
            "workers_female": self.workers_female,
            "workers_male": self.workers_male,
        }
        # Only when set: the hash of an application without them stays what it always was.
        if self.round_id is not None or self.referrals:
            if self.round_id is not None:
                data["round_id"] = self.round_id
            if self.referrals:
                data["referrals"] = list(self.referrals)
            data = dict(sorted(data.items()))
        return data

    @property
    def referral_reason(self) -> str | None:
        """Why this application is served at the office instead of in the field, or None."""
        reasons: list[str] = []
        if len(self.kbli) > MAX_FIELD_KBLI:
            reasons.append("lebih dari dua KBLI")
        if self.scale in (Scale.MENENGAH, Scale.BESAR):
            reasons.append(f"skala {self.scale.label}")
        if not reasons:
            return None
        return (
            f"Usaha dengan {' dan '.join(reasons)} dilayani di kantor DPMPTSP melalui "
            f"pendampingan mandiri. {_OFFICE}"
        )


# --- reading raw values --------------------------------------------------------------------


def _text(value: object) -> str:
    """A form/JSON value as stripped text. None -> "". Numbers are accepted as text."""
    if type(value) is str:  # the usual case first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise FieldError(MSG_TYPE)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _flag(value: object) -> bool:
    """A checkbox: "on", "1", "true", True... Like HTML, any text except "", "0", "false",
    "off", "no", "tidak" counts as ticked."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        return text not in _FALSE
    if isinstance(value, list | tuple):
        return any(_flag(item) for item in value)
    raise FieldError(MSG_NO_EMAIL_TYPE)


def _whole_number(value: object, message: str) -> int | str:
    """Pass ints and text through; accept a float only when it has no fraction."""
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise FieldError(message)
        return int(value)
    if isinstance(value, bool):
        raise FieldError(message)
    if isinstance(value, int):
        return value
    return _text(value)


# --- one function per field ----------------------------------------------------------------


def _name(value: object) -> str:
    name = _collapse(_text(value)).translate(_APOSTROPHES)
    if not name:
        raise FieldError(MSG_NAME_EMPTY)
    plain = name.replace(" ", "").isalpha()  # the usual case: letters and spaces only
    if not name[0].isalpha() or not (plain or all(ch.isalpha() or ch in _NAME_PUNCT
                                                  for ch in name)):
        raise FieldError(MSG_NAME_CHARS)
    if len(name) < 3:
        raise FieldError(MSG_NAME_SHORT)
    if len(name) > 100:
        raise FieldError(MSG_NAME_LONG)
    return name


def _free_text(value: object, lo: int, hi: int, messages: tuple[str, str, str, str]) -> str:
    empty, short, long, chars = messages
    text = _collapse(_text(value))
    if not text:
        raise FieldError(empty)
    if not text.isprintable() or not _ALNUM.search(text):
        raise FieldError(chars)
    if len(text) < lo:
        raise FieldError(short)
    if len(text) > hi:
        raise FieldError(long)
    return text


def _region(text: str, pattern: re.Pattern[str], digits: int) -> str | None:
    """A Kemendagri code in dotted form; the plain digits ("3505012001") are accepted too."""
    if text.isascii() and text.isdigit() and len(text) == digits:
        text = ".".join([text[0:2], text[2:4], text[4:6], text[6:]]).rstrip(".")
    return text if pattern.fullmatch(text) else None


def _rt_rw(value: object, label: str) -> str:
    number = _whole_number(value, f"{label} diisi 1 sampai 3 angka, misalnya 003.")
    text = str(number)
    if not text:
        raise FieldError(f"{label} wajib diisi, misalnya 3 atau 003.")
    if not (text.isascii() and text.isdigit() and len(text) <= 3):
        raise FieldError(f"{label} diisi 1 sampai 3 angka saja, misalnya 003.")
    text = text.zfill(3)
    if text == "000":
        raise FieldError(f"{label} tidak boleh 000. Isi nomor {label} tempat usaha, misalnya 003.")
    return text


def _kbli_items(value: object) -> list[str]:
    if value is None:
        return []
    items: list[object] = list(value) if isinstance(value, list | tuple) else [value]
    codes: list[str] = []
    for item in items:
        if isinstance(item, str):
            codes.extend(code for code in _KBLI_SPLIT.split(item.strip()) if code)
        elif isinstance(item, int) and not isinstance(item, bool) and 0 <= item < 100_000:
            codes.append(f"{item:05d}")  # a JSON number loses the leading zero of 01111
        else:
            raise FieldError(MSG_TYPE)
    return codes


def _show(codes: list[str]) -> str:
    shown = [code if len(code) <= 12 else code[:12] + "…" for code in codes[:3]]
    return ", ".join(shown) + (", …" if len(codes) > 3 else "")


def _kbli(value: object, kbli_exists: Callable[[str], bool]) -> tuple[str, ...]:
    codes = list(dict.fromkeys(_kbli_items(value)))  # drop duplicates, keep order
    if not codes:
        raise FieldError(MSG_KBLI_EMPTY)
    if len(codes) > MAX_KBLI_CODES:
        raise FieldError(MSG_KBLI_TOO_MANY)
    malformed = [code for code in codes if not _KBLI.fullmatch(code)]
    if malformed:
        raise FieldError(
            f"Kode KBLI harus 5 angka, misalnya 47112. Periksa kode ini: {_show(malformed)}."
        )
    unknown = [code for code in codes if not kbli_exists(code)]
    if unknown:
        raise FieldError(
            f"Kode KBLI {_show(unknown)} tidak ada dalam KBLI 2020. Pilih kegiatan usaha dari "
            "daftar."
        )
    return tuple(codes)


def _capital(value: object) -> int:
    if value is None:
        return parse_rupiah("")
    if isinstance(value, float):
        return parse_rupiah(int(_whole_number(value, MSG_DECIMAL)))
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldError(MSG_FORMAT)
    return parse_rupiah(value)


def _workers_message(label: str) -> str:
    return f"Jumlah tenaga kerja {label} diisi angka bulat 0 sampai 10000 (isi 0 jika tidak ada)."


_WORKERS_MESSAGES = {label: _workers_message(label) for label in ("laki-laki", "perempuan")}


def _workers(value: object, label: str) -> int:
    message = _WORKERS_MESSAGES[label]
    if type(value) is str and value.isdigit() and value.isascii() and len(value) <= 5:
        number: int | str = int(value)  # the usual case: "0", "3"
    else:
        number = _whole_number(value, message)
    if isinstance(number, str):
        text = number.replace(".", "") if _THOUSANDS.fullmatch(number) else number
        if text == "":
            return 0
        if not (text.isascii() and text.isdigit()):
            raise FieldError(message)
        number = int(text)
    if not 0 <= number <= MAX_WORKERS:
        raise FieldError(message)
    return number


def _round(value: object, round_exists: Callable[[int], bool]) -> int | None:
    """The round an application is taken at: empty, or the id of a known round."""
    if value is None or value == "":
        return None
    text = _text(value)
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 9) or not round_exists(int(text)):
        raise FieldError(MSG_ROUND)
    return int(text)


def _referrals(value: object, service_exists: Callable[[str], bool]) -> tuple[str, ...]:
    """Partner services asked for: ticked boxes (a list), or codes separated by commas."""
    if value is None or value == "" or value == []:
        return ()
    items = value if isinstance(value, list | tuple) else [value]
    codes: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise FieldError(MSG_TYPE)
        codes.extend(code for code in _KBLI_SPLIT.split(item.strip().lower()) if code)
    codes = list(dict.fromkeys(codes))
    if len(codes) > MAX_REFERRALS or not all(
            len(code) <= 40 and service_exists(code) for code in codes):
        raise FieldError(MSG_REFERRAL)
    return tuple(codes)


# --- the whole form ------------------------------------------------------------------------


def validate_application(
    raw: Mapping[str, object],
    *,
    kbli_exists: Callable[[str], bool],
    kecamatan_of_desa: Callable[[str], str | None],
    today: date,
    round_exists: Callable[[int], bool] = lambda _round_id: False,
    service_exists: Callable[[str], bool] = lambda _code: False,
) -> ApplicationInput | dict[str, str]:
    """Check every field; return the clean input, or {field: message} for ALL bad fields.

    ``kbli_exists`` tells whether a 5-digit code is in KBLI 2020; ``kecamatan_of_desa`` maps
    a desa code ("35.05.01.2001") to its kecamatan code ("35.05.01"), or None if unknown.
    """
    # One try per field, no closures: this runs for every item of every batch.
    errors: dict[str, str] = {}
    get = raw.get
    nik: Nik | None = None
    name = phone = email = npwp = business_name = rt = rw = street = None
    kbli: tuple[str, ...] | None = None
    capital = workers_male = workers_female = None
    no_email = False
    try:
        nik = parse_nik(_text(get("nik")), today)
    except FieldError as error:
        errors["nik"] = error.message
    try:
        name = _name(get("name"))
    except FieldError as error:
        errors["name"] = error.message
    try:
        phone = normalize_phone(_text(get("phone")))
    except FieldError as error:
        errors["phone"] = error.message
    try:
        no_email = _flag(get("no_email"))
    except FieldError as error:
        errors["no_email"] = error.message
    try:
        email = normalize_email(_text(get("email")))
    except FieldError as error:
        errors["email"] = error.message
    if email is None and "email" not in errors and not no_email:
        errors["email"] = MSG_EMAIL_REQUIRED
    try:
        npwp = normalize_npwp(_text(get("npwp")), nik.value if nik is not None else None)
    except FieldError as error:
        errors["npwp"] = error.message
    try:
        business_name = _free_text(get("business_name"), 3, 100, _BUSINESS_MESSAGES)
    except FieldError as error:
        errors["business_name"] = error.message
    kecamatan, desa = _location(raw, kecamatan_of_desa, errors)
    try:
        rt = _rt_rw(get("rt"), "RT")
    except FieldError as error:
        errors["rt"] = error.message
    try:
        rw = _rt_rw(get("rw"), "RW")
    except FieldError as error:
        errors["rw"] = error.message
    try:
        street = _free_text(get("street"), 3, 200, _STREET_MESSAGES)
    except FieldError as error:
        errors["street"] = error.message
    try:
        kbli = _kbli(get("kbli"), kbli_exists)
    except FieldError as error:
        errors["kbli"] = error.message
    try:
        capital = _capital(get("capital"))
    except FieldError as error:
        errors["capital"] = error.message
    try:
        workers_male = _workers(get("workers_male"), "laki-laki")
    except FieldError as error:
        errors["workers_male"] = error.message
    try:
        workers_female = _workers(get("workers_female"), "perempuan")
    except FieldError as error:
        errors["workers_female"] = error.message
    round_id = None
    try:
        round_id = _round(get("round_id"), round_exists)
    except FieldError as error:
        errors["round_id"] = error.message
    referrals: tuple[str, ...] = ()
    try:
        referrals = _referrals(get("referrals"), service_exists)
    except FieldError as error:
        errors["referrals"] = error.message

    if errors:
        return {field: errors[field] for field in FIELD_NAMES if field in errors}
    assert nik is not None and name is not None and phone is not None
    assert business_name is not None and kecamatan is not None and desa is not None
    assert rt is not None and rw is not None and street is not None and kbli is not None
    assert capital is not None and workers_male is not None and workers_female is not None
    return ApplicationInput(
        nik=nik.value,
        name=name,
        sex=nik.sex,
        birth_date=nik.birth_date,
        phone=phone,
        email=email,
        npwp=npwp,
        business_name=business_name,
        kecamatan=kecamatan,
        desa=desa,
        rt=rt,
        rw=rw,
        street=street,
        kbli=kbli,
        capital=capital,
        workers_male=workers_male,
        workers_female=workers_female,
        scale=scale_for_capital(capital),
        round_id=round_id,
        referrals=referrals,
    )


def _location(
    raw: Mapping[str, object],
    kecamatan_of_desa: Callable[[str], str | None],
    errors: dict[str, str],
) -> tuple[str | None, str | None]:
    """Kecamatan and desa together: the desa decides, the kecamatan must agree with it."""
    kecamatan: str | None = None
    try:
        kecamatan_text = _text(raw.get("kecamatan"))
    except FieldError as error:
        errors["kecamatan"] = error.message
        kecamatan_text = ""
    if kecamatan_text:
        kecamatan = _region(kecamatan_text, _KECAMATAN, 6)
        if kecamatan is None:
            errors["kecamatan"] = MSG_KECAMATAN_FORMAT
    try:
        desa_text = _text(raw.get("desa"))
    except FieldError as error:
        errors["desa"] = error.message
        return kecamatan, None
    if not desa_text:
        errors["desa"] = MSG_DESA_EMPTY
        return kecamatan, None
    desa = _region(desa_text, _DESA, 10)
    if desa is None:
        errors["desa"] = MSG_DESA_FORMAT
        return kecamatan, None
    parent = kecamatan_of_desa(desa)
    if parent is None:
        errors["desa"] = MSG_DESA_UNKNOWN
        return kecamatan, None
    if kecamatan is None and "kecamatan" not in errors:
        kecamatan = parent  # derived from the desa
    elif kecamatan is not None and kecamatan != parent:
        errors["desa"] = MSG_DESA_MISMATCH
        return kecamatan, None
    return kecamatan, desa


# --- between the form, the record and the store ------------------------------------------------


def read_form(form: Mapping[str, Any]) -> dict[str, str]:
    """What a submitted HTML form holds for the application, as text (a ticked checkbox is
    "on"), each value cut to a sane length before validation."""
    values: dict[str, str] = {}
    for field in FIELDS:
        value = form.get(field.name)
        if field.kind == "flag":
            values[field.name] = "on" if value else ""
        elif field.kind == "services":  # ticked boxes: every value of the name
            ticked = form.getall(field.name, []) if hasattr(form, "getall") else value or []
            ticked = ticked if isinstance(ticked, list | tuple) else [ticked]
            values[field.name] = ",".join(str(v) for v in ticked)[:MAX_FORM_VALUE]
        else:
            values[field.name] = str(value if value is not None else "")[:MAX_FORM_VALUE]
    return values


_STORED = tuple((f.column, f.name, f.kind == "codes") for f in FIELDS if f.column is not None)


def to_columns(data: ApplicationInput) -> dict[str, Any]:
    """A valid application as the store keeps it, keyed by column (see COLUMNS)."""
    columns: dict[str, Any] = {}
    for column, name, codes in _STORED:
        value = getattr(data, name)
        columns[column] = json.dumps(list(value)) if codes else value
    columns["sex"] = data.sex
    columns["birth_date"] = data.birth_date.isoformat()
    columns["scale"] = data.scale.value
    return columns


def form_values(row: Mapping[str, Any]) -> dict[str, str]:
    """A stored application as a form shows it again (for a correction)."""
    values: dict[str, str] = {}
    for field in FIELDS:
        if field.kind == "flag":  # the only flag: "no email" is an empty email column
            values[field.name] = "" if row["email"] else "on"
        elif field.column is None:  # kept elsewhere (referrals): the caller adds it
            values[field.name] = ""
        elif field.kind == "codes":
            values[field.name] = ", ".join(json.loads(row[field.column or ""]))
        else:
            value = row[field.column or ""]
            values[field.name] = "" if value is None else str(value)
    return values


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """How a sentence names each stored column whose value differs, in form order."""
    return [_SHORT_OF_COLUMN[c] for c in COLUMNS if str(after[c]) != str(before[c])]
