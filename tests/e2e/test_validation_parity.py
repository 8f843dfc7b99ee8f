"""The phone's checks and the server's give the same answer, message for message.

The phone's side is sw/validate.js as the real server serves it (with the rules it puts in
front of it), on the capture page in real Chromium, with the offline KBLI and region lists
(JBM.data) the page uses. The server's side is ``validate_application`` with the server's
own reference data. Both get the same "today" (NIK birth dates depend on it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.domain.application import validate_application
from app.domain.form_rules import form_rules
from app.domain.nik import PROVINCE_CODES
from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions
from tests.e2e.conftest import WAIT_MS, context_options
from tests.e2e.pwa import login
from tests.support import ROOT, ServerProcess, application
from tests.unit.test_phone import national_numbers

pytestmark = pytest.mark.e2e

TODAY = date(2026, 11, 29)
KBLI = KbliCatalog.load()
REGIONS = Regions.load()
OTHER_DESA = REGIONS.desa_of("35.05.02")[0].code  # a desa outside kecamatan 35.05.01

# A valid application as the capture form sends it (capture.js values(): numbers as text).
FORM: dict[str, Any] = application(workers_male="0", workers_female="2")

# Changes to FORM: together they draw every message of every field from the server.
CHANGES: list[dict[str, Any]] = [
    {},
    {key: None for key in FORM},
    {key: "" for key in FORM},
    # NIK
    *({"nik": nik} for nik in [
        "", "  ", "35050145079000AB", "350501450790", "35050145079000123", "1111111111111111",
        "0000000000000000", "9905014507900012", "2005014507900012", "3500014507900012",
        "3505004507900012", "3505014513900012", "3505013002900012", "3505017102900012",
        "3505010000900012", "3505018101900012", "3505014507900000", "3505 0145 0790 0012",
        "3505.0145.0790.0012", "3505-0145-0790-0012", "3505012911260012", "3505013011260012",
        "3505010112260012", "3505010101300012", "3505012902000012", "3505012902250012",
        "3505016902240012", "3505017102240012", "3505016902230012", "\u00a03505014507900012",
        "٣٥٠٥٠١٤٥٠٧٩٠٠٠١٢", "3505014507900012\t",
    ]),
    # name
    *({"name": name} for name in [
        "", "Al", "Al’", "A" * 100, "A" * 101, "Siti 2", "-Siti", "'Siti", "Siti@Aminah",
        "Siti Nur’aini", "Siti Nur`aini", "  Siti   Aminah  ", "Dédé Ñurul", "Zoë", "李小龍",
        "😀 Siti", "Siti😀", "Ab\u200b", "Moh. Ali", "Ahmad, S.Pd.", "A\u2003B", "Σίσυφος",
        "Siti\x1cAminah", "Siti\ufeffAminah",
    ]),
    # phone
    *({"phone": phone} for phone in [
        "", " ", "0812-3456-7890", "+62 812 3456 7890", "62812345678", "0062 812 3456 7890",
        "+62 0812 3456 7890", "(0812) 3456/7890", "812345678", "+1 555 1234", "001 555 1234",
        "0342-801234", "0812", "08123456789012345", "0812abc", "+", "++62812345678",
        "0812\u00a03456\u00a07890", "6208123456789", "081234567", "0812345678901", "08123456789012",
        "٠٨١٢٣٤٥٦٧٨٩٠",
    ]),
    # email, with and without "no email"
    *({"email": email, "no_email": no_email} for no_email in (False, True) for email in [
        "", "siti@gmail.com", "siti @gmail.com", "a" * 250 + "@x.com", "siti", "a@b@c.com",
        ".siti@gmail.com", "siti.@gmail.com", "si..ti@gmail.com", "si(ti@gmail.com",
        "siti@gmail", "siti@gmail.c", "siti@xn--p1ai.xn--p1ai", "siti@-gmail.com",
        "SITI@GMAIL.COM", "a" * 64 + "@gmail.com", "a" * 65 + "@gmail.com", "@gmail.com",
        "siti@", "siti@gmail..com", "siti@gmail.com.", "siti@GMAIL.\u212aom", "sití@gmail.com",
        "siti\u00a0@gmail.com", "siti@gmail.123",
    ]),
    *({"no_email": flag, "email": ""} for flag in [
        "on", "1", "true", "TRUE", " Off ", "tidak", "0", "n", "no", ["0", "on"], ["0"], [], None,
        1, 0, {}, [{}],
    ]),
    # NPWP
    *({"npwp": npwp} for npwp in [
        "", "12.345.678.9-012.345", "123456789012345", "12345", "1234567890123456789",
        "000000000000000", "0000000000000000", "0123456789012345", "3505014507900012",
        "3505.0145.0790.0012", "3505014507900013", "12a", "12.345.678.9/012.345",
    ]),
    {"nik": "", "npwp": "3505014507900013"},  # no valid NIK: nothing to compare with
    {"nik": "3505014507900000", "npwp": "3505014507900012"},
    # business name and street
    *({"business_name": name} for name in [
        "", "UD", "UD.", "W" * 100, "W" * 101, "...", "Warung\x00Siti", "Warung\u200bSiti",
        "Toko 😀 Jaya", "  Warung   Bu  ", "A1", "😀😀😀", "١٢٣", "Ⅻ Jaya", "Warung\u2028Siti",
    ]),
    *({"street": street} for street in [
        "", "Jl", "J" * 200, "J" * 201, "---", "Jl.\tMawar", "Jl. Mawar\x07", "RT 3",
    ]),
    # kecamatan and desa
    {"kecamatan": "Wonodadi"},
    {"kecamatan": "350501"},
    {"kecamatan": "35.05.1"},
    {"kecamatan": ""},
    {"kecamatan": "", "desa": OTHER_DESA},
    {"desa": ""},
    {"desa": "Jaten"},
    {"desa": "3505012001"},
    {"desa": "35050120010"},
    {"desa": "35.05.01.2999"},
    {"desa": OTHER_DESA},
    {"kecamatan": "350502", "desa": OTHER_DESA.replace(".", "")},
    {"kecamatan": "Wonodadi", "desa": "35.05.01.2999"},
    {"kecamatan": "Wonodadi", "desa": OTHER_DESA},
    {"kecamatan": "35.05.99", "desa": "35.05.01.2001"},
    # RT / RW
    *({field: value} for field in ("rt", "rw") for value in [
        "", "1234", "3a", "-3", "000", "0", "003", "٣", " 7 ", "1.5", 5, 0,
    ]),
    # KBLI
    *({"kbli": kbli} for kbli in [
        [], [""], [" , "], ["5610"], ["56102", "warung"], ["99999"], ["56102", "99999", "88888"],
        [f"{n:05d}" for n in range(21)], ["47111", "47112", "14111", "10710", "56102"],
        "56102, 47111", ["56102 47111;10710"], ["56102", "56102"], ["1", "22", "333", "4444"],
        ["1234567890123"], ["1234567890123", "a", "b", "c", "d"], ["٥٦١٠٢"], [56102], [1111],
        [True], "", None, ["99999", "00000", "88888", "77777", "66666"], ["56102\u00a047111"],
    ]),
    # capital
    *({"capital": capital} for capital in [
        "", "Rp", "Rp.", "15.000.000", "Rp 1.500.000", "Rp1.500.000", "Rp. 1.500.000",
        "Rp15.000.000,-", "15,000,000", "15 000 000", "1,5", "1.500,50", "1.500,5", "15 juta",
        "-5", "Rp -5", "1.000.000,00", "1.000.000.00", "15.00.000", "1e6", "10000000000000000",
        "1000000000000000", "1000000000000001", "IDR 5000", "idr5000", "ıdr 5000", "İDR 5000",
        "5000.-", "5000-", "5000,-", "１２３", "\u00a0Rp\u00a05.000", "Rp\u20035.000", ",-", "0",
        "1.000 000", "1.5.000", "12,34", "5.000,0", 0, 1500, -1, 1500.5, 10**16, True, [],
    ]),
    # workers
    *({field: value} for field in ("workers_male", "workers_female") for value in [
        "", "0", "10000", "10001", "-1", "dua", "1.500", "1,5", "12.345", "1.000", "007",
        "١", 3, 2.5, 10001, False, 2.0,
    ]),
]


def server_verdict(body: dict[str, Any]) -> dict[str, str]:
    result = validate_application(
        body, kbli_exists=KBLI.exists, kecamatan_of_desa=REGIONS.kecamatan_of_desa, today=TODAY
    )
    return result if isinstance(result, dict) else {}


# --- cases drawn by hypothesis ----------------------------------------------------------

ODD = ["\t", "\xa0", "\u2003", "\x1c", "\x85", "\ufeff", "\u200b", "\x00", "’", "`", "é", "ñ",
       "İ", "ı", "ſ", "\u212a", "٣", "１", "😀", "李", "Σ", "…", "\u2028"]
ANY_TEXT = st.text(
    st.sampled_from(list("0123456789 .,-'@+()/;:abdeiklmnprstuwxyzABRPIDK") + ODD), max_size=24
)
DIGIT_TEXT = st.text(st.sampled_from(list("0123456789")), max_size=18)
SEPARATED = st.sampled_from(["", " ", ".", "-", "\xa0", "/"])


@st.composite
def niks(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from([*sorted(PROVINCE_CODES), "00", "99", "20"]))
    area = draw(st.sampled_from(["0501", "0000", "0500", "0001", "7101"]))
    born = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2030, 12, 31)))
    day = draw(st.sampled_from([born.day, born.day + 40]) | st.integers(0, 99))
    month = draw(st.just(born.month) | st.integers(0, 13))
    serial = draw(st.integers(0, 9999))
    nik = f"{province}{area}{day:02d}{month:02d}{born.year % 100:02d}{serial:04d}"
    sep = draw(SEPARATED)
    return sep.join([nik[0:4], nik[4:8], nik[8:12], nik[12:]])


@st.composite
def phones(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["0", "+62", "62", "0062", "+62 0", "", "+1", "00", "0"]))
    national = draw(national_numbers | DIGIT_TEXT | DIGIT_TEXT.map(lambda d: "8" + d))
    sep = draw(SEPARATED)
    return prefix + sep.join(national[i : i + 4] for i in range(0, len(national), 4))


@st.composite
def emails(draw: st.DrawFn) -> str:
    word = st.text(st.sampled_from(list("abz09.-_+( é\u212a")),
                   max_size=8)
    domain = draw(st.lists(word, min_size=0, max_size=3))
    return draw(word) + draw(st.sampled_from(["@", "", "@@"])) + ".".join(domain)


@st.composite
def rupiah(draw: st.DrawFn) -> str:
    amount = draw(st.integers(-10, 10**16))
    sep = draw(st.sampled_from(["", ".", ",", " ", "'"]))
    digits = f"{amount:,}".replace(",", sep)
    prefix = draw(st.sampled_from(["", "Rp", "Rp ", "Rp. ", "IDR ", "rp", "ıdr"]))
    suffix = draw(st.sampled_from(["", ",-", ".-", ",00", ".00", ",5", " juta", "-", ",50"]))
    return prefix + digits + suffix


DESA_CODES = [d.code for d in REGIONS.all_desa()]
KBLI_CODES = [entry.code for entry in KBLI]
kbli_code = st.sampled_from(KBLI_CODES) | st.sampled_from(["99999", "00000"]) | DIGIT_TEXT
field_values: dict[str, st.SearchStrategy[Any]] = {
    "nik": niks() | DIGIT_TEXT | ANY_TEXT,
    "name": st.sampled_from(["Siti Aminah", "Nur’aini", "Dédé", "I Made"]) | ANY_TEXT,
    "phone": phones() | ANY_TEXT,
    "email": emails() | ANY_TEXT | st.just(""),
    "no_email": st.booleans() | st.sampled_from(["on", "", "0", "tidak", " OFF "]),
    "npwp": st.just("") | niks() | DIGIT_TEXT | ANY_TEXT,
    "business_name": ANY_TEXT,
    "kecamatan": (
        st.sampled_from([k.code for k in REGIONS.kecamatan()]).map(
            lambda code: code.replace(".", "") if len(code) % 2 else code
        )
        | st.just("")
        | ANY_TEXT
    ),
    "desa": st.sampled_from(DESA_CODES) | st.just("35.05.01.2999") | DIGIT_TEXT | ANY_TEXT,
    "rt": DIGIT_TEXT.map(lambda s: s[:4]) | ANY_TEXT,
    "rw": DIGIT_TEXT.map(lambda s: s[:4]) | ANY_TEXT,
    "street": ANY_TEXT,
    "kbli": st.lists(kbli_code | ANY_TEXT, max_size=4) | ANY_TEXT,
    "capital": rupiah() | ANY_TEXT,
    "workers_male": st.integers(-5, 20_000).map(str) | ANY_TEXT,
    "workers_female": st.sampled_from(["", "1.500", "12.345"]) | ANY_TEXT,
}


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    """A form with a few fields changed: mostly near the rules, sometimes anything."""
    body = dict(FORM)
    for field in draw(st.lists(st.sampled_from(sorted(field_values)), min_size=1, max_size=5)):
        body[field] = draw(field_values[field])
    if draw(st.booleans()):
        body["npwp"] = body["nik"]
    return body


def drawn(count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    @settings(max_examples=count, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(bodies())
    def collect(body: dict[str, Any]) -> None:
        found.append(body)

    collect()
    return found


# --- the phone ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def phone_page(browser: Any, server: ServerProcess) -> Iterator[Any]:
    """The capture page as an officer opens it: validate.js and offline-data.js loaded."""
    context = browser.new_context(**context_options())
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    login(page, server.url, "/petugas/daftar")
    page.wait_for_function("() => window.JBM && JBM.validate && JBM.data")
    yield page
    context.close()


def phone_verdicts(page: Any, cases: list[dict[str, Any]]) -> list[dict[str, str]]:
    return page.evaluate(
        "([cases, today]) => Promise.all(cases.map("
        "c => JBM.validate.checkApplication(c, JBM.data, today)))",
        [cases, TODAY.isoformat()],
    )


def assert_same(page: Any, cases: list[dict[str, Any]]) -> list[dict[str, str]]:
    phone = phone_verdicts(page, cases)
    server = [server_verdict(case) for case in cases]
    differ = [(case, s, p) for case, s, p in zip(cases, server, phone, strict=True) if s != p]
    report = "\n\n".join(
        f"case:   {json.dumps(case, ensure_ascii=False)}\n"
        f"server: {json.dumps(s, ensure_ascii=False)}\n"
        f"phone:  {json.dumps(p, ensure_ascii=False)}"
        for case, s, p in differ[:10]
    )
    assert not differ, f"{len(differ)} of {len(cases)} cases differ:\n\n{report}"
    return server


def template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{\w+\}", template)
    return re.compile(".+".join(re.escape(part) for part in parts), re.DOTALL)


def test_the_phone_says_what_the_server_says_for_every_message(phone_page: Any) -> None:
    cases = [{**FORM, **changes} for changes in CHANGES]
    verdicts = assert_same(phone_page, cases)
    given_messages = {message for verdict in verdicts for message in verdict.values()}
    unused = [
        key for key, template in form_rules()["messages"].items()
        if not any(template_pattern(template).fullmatch(m) for m in given_messages)
    ]
    assert not unused, f"no hand-written case gives these messages: {unused}"
    assert {} in verdicts  # the valid form passes on both sides


def test_the_phone_says_what_the_server_says_for_drawn_cases(phone_page: Any) -> None:
    cases = drawn(500)
    verdicts = assert_same(phone_page, cases)
    assert sum(not v for v in verdicts) > 10  # some pass, some fail
    assert sum(bool(v) for v in verdicts) > 100


def test_the_served_validator_carries_the_servers_rules(server: ServerProcess) -> None:
    source = httpx.get(f"{server.url}/sw/validate.js").text
    prelude, _, rest = source.partition("\n")
    assert prelude == "self.JBM = self.JBM || {};"
    line = rest.split("\n", 1)[0]
    assert line.startswith("self.JBM.rules = ") and line.endswith(";")
    assert json.loads(line.removeprefix("self.JBM.rules = ")[:-1]) == form_rules()


def test_validate_js_writes_no_message_of_its_own() -> None:
    code = (ROOT / "sw" / "validate.js").read_text(encoding="utf-8")
    code = re.sub(r"^\s*//.*$|\s//\s.*$", "", code, flags=re.MULTILINE)  # comments
    literals = re.findall(r'"((?:[^"\\\n]|\\.)*)"', code)
    sentences = [text for text in literals
                 if text != "use strict" and re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", text)]
    assert not sentences, f"validate.js writes its own text: {sentences}"
    for message in form_rules()["messages"].values():
        assert message[:16] not in code
