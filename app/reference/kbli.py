"""KBLI 2020 catalog (5-digit kelompok codes) with a search tuned for everyday words.

Officers type what the applicant says ("jahit", "warung", "bengkel") on a phone, not the
official KBLI wording ("Penjahitan Dan Pembuatan Pakaian Sesuai Pesanan"). The search therefore:

* folds case and accents, and matches every query word as a prefix of a word in the title or
  the description (all query words must match);
* also indexes simple Indonesian stems (``penjahitan`` -> ``jahit``, ``perdagangan`` ->
  ``dagang``), so a bare root word finds the affixed KBLI wording;
* ranks title matches far above description matches, whole words above prefixes, a title that
  starts with the word higher, and shorter titles slightly higher;
* knows a small hand-written table of field words (:data:`SYNONYMS`) that points an everyday
  word at the KBLI codes and wording it normally means;
* treats a query of 1-5 digits as a code prefix (exact code first).

Everything is built in memory at :meth:`KbliCatalog.load`; searching does no I/O.
"""

from __future__ import annotations

import csv
import heapq
import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR: Path = Path(__file__).resolve().parent.parent / "data"
DEFAULT_KBLI_PATH: Path = DATA_DIR / "kbli2020.csv"

_COLUMNS: tuple[str, ...] = ("code", "title", "section", "description")
_CODE_RE = re.compile(r"\d{5}")
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_APOSTROPHE_RE = re.compile(r"['\u2018\u2019`\u00b4]")
_CODE_QUERY_SEPARATORS_RE = re.compile(r"[\s.\-]+")


# --------------------------------------------------------------------------------------------
# Text normalisation and a deliberately simple Indonesian stemmer
# --------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case, strip accents and drop apostrophes (``"So'un Café"`` -> ``"soun cafe"``)."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _APOSTROPHE_RE.sub("", text.casefold())


def tokenize(text: str) -> list[str]:
    """Folded alphanumeric words of ``text``; hyphens and slashes separate words."""
    return _TOKEN_RE.findall(fold(text))


_MIN_STEM = 3
_SUFFIXES: tuple[str, ...] = ("nya", "kan", "an")
_PREFIXES: tuple[str, ...] = (
    "menge", "penge",  # monosyllabic roots: pengecatan -> cat, pengelasan -> las
    "meng", "peng", "meny", "peny",
    "mem", "pem", "men", "pen", "ber", "per", "ter",
    "me", "pe", "di", "ke",
)  # fmt: skip
# Nasal prefixes replace the root's first consonant: pe+tanam -> penanam, pe+sedia -> penyedia.
_NASAL_RESTORE: dict[str, str] = {
    "meng": "k", "peng": "k", "meny": "s", "peny": "s",
    "mem": "p", "pem": "p", "men": "t", "pen": "t",
}  # fmt: skip
_VOWELS = frozenset("aiueo")


def _strip_prefix(word: str) -> set[str]:
    out: set[str] = set()
    for prefix in _PREFIXES:
        if not word.startswith(prefix):
            continue
        rest = word[len(prefix) :]
        if len(rest) >= _MIN_STEM:
            out.add(rest)
        restore = _NASAL_RESTORE.get(prefix)
        if restore and rest[:1] in _VOWELS and len(rest) + 1 >= _MIN_STEM:
            out.add(restore + rest)
    return out


@lru_cache(maxsize=32_768)
def stems(word: str) -> frozenset[str]:
    """Candidate roots of an Indonesian word, excluding the word itself.

    Strips at most one suffix (``-nya``, ``-kan``, ``-an``) and up to two prefixes
    (``pe(N)-``, ``me(N)-``, ``ber-``, ``per-``, ``ter-``, ``di-``, ``ke-``), restoring the
    consonant that a nasal prefix swallows. It over-generates on purpose: every candidate is
    indexed, a wrong one merely never gets queried. ``"penjahitan"`` -> ``{"jahit", ...}``.
    """
    if len(word) <= _MIN_STEM or not word.isalpha():
        return frozenset()
    bases = {word}
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            bases.add(word[: -len(suffix)])
    found: set[str] = set(bases)
    for base in bases:
        for once in _strip_prefix(base):
            found.add(once)
            found.update(_strip_prefix(once))
    found.discard(word)
    return frozenset(found)


# --------------------------------------------------------------------------------------------
# Everyday field words -> KBLI codes and KBLI vocabulary
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Synonym:
    """What an everyday word means in KBLI terms.

    ``codes`` are the KBLI codes the word usually means, most likely first: they are ranked
    at the top, in this order. ``terms`` are KBLI-vocabulary phrases searched as well (each
    phrase's words must all match), ranked like ordinary matches but a little lower.
    """

    codes: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()


def _syn(codes: str = "", terms: Iterable[str] = ()) -> Synonym:
    return Synonym(tuple(codes.split()), tuple(terms))


# Keys are folded; multi-word keys ("warung makan") are matched on adjacent query words.
# Codes were checked against kbli2020.csv (tests assert every code exists).
SYNONYMS: dict[str, Synonym] = {
    # --- eating and drinking places
    "warung": _syn("56102 47112 56103", ("warung makan", "eceran makanan")),
    "warung makan": _syn("56102 56103 56101", ("warung makan",)),
    "rumah makan": _syn("56102 56101 56103"),
    "warteg": _syn("56102 56103", ("warung makan",)),
    "depot": _syn("56102 11052 56103", ("warung makan",)),
    "lesehan": _syn("56102 56103", ("warung makan",)),
    "angkringan": _syn("56103 56304 56104", ("kedai makanan", "kedai minuman")),
    "bakso": _syn("56102 56104 56103 10130 47245", ("warung makan", "makanan keliling")),
    "mie": _syn("10740 56102 56103", ("mie",)),
    "mi": _syn("10740 56102 56103", ("mie",)),
    "soto": _syn("56102 56103 56104", ("warung makan",)),
    "pecel": _syn("56102 56103 56104", ("warung makan",)),
    "penyetan": _syn("56103 56102", ("kedai makanan",)),
    "lalapan": _syn("56103 56102", ("kedai makanan",)),
    "nasi": _syn("56102 56103 56104", ("warung makan",)),
    "sate": _syn("56102 56103 56104", ("warung makan",)),
    "martabak": _syn("56103 56104 10792", ("kedai makanan",)),
    "gorengan": _syn("56104 56103 56102", ("makanan keliling", "kedai makanan")),
    "kaki lima": _syn("56104 56103", ("kaki lima", "makanan keliling")),
    "keliling": _syn("56104 47992", ("keliling",)),
    "pkl": _syn("56104 56103", ("kaki lima", "makanan keliling")),
    "kedai": _syn("56103 56304", ("kedai",)),
    "resto": _syn("56101", ("restoran",)),
    "kafe": _syn("56303 56304", ("rumah minum", "kafe")),
    "cafe": _syn("56303 56304", ("rumah minum", "kafe")),
    "warkop": _syn("56303 56304", ("rumah minum", "kedai minuman")),
    "warung kopi": _syn("56303 56304 47243", ("rumah minum",)),
    "kopi": _syn("56303 10761 47243", ("kopi",)),
    "es": _syn("56304 11040", ("kedai minuman", "minuman ringan")),
    "catering": _syn("56210 56290", ("jasa boga", "katering")),
    "katering": _syn("56210 56290", ("jasa boga",)),
    "jasa boga": _syn("56210 56290"),
    "nasi kotak": _syn("56210 56290", ("jasa boga",)),
    # --- food production at home
    "kue": _syn("10792 10710 47242", ("roti kue", "kue basah")),
    "kue basah": _syn("10792 47242 47822"),
    "kue kering": _syn("10710 47242"),
    "roti": _syn("10710 47242 46332", ("roti",)),
    "bakery": _syn("10710 47242", ("roti",)),
    "keripik": _syn("10794", ("kerupuk keripik",)),
    "kripik": _syn("10794", ("keripik",)),
    "kerupuk": _syn("10794", ("kerupuk",)),
    "krupuk": _syn("10794", ("kerupuk",)),
    "rengginang": _syn("10794", ("kerupuk",)),
    "peyek": _syn("10794 10793", ("peyek",)),
    "jamu": _syn("21022 47723", ("obat tradisional",)),
    "depot air": _syn("11052", ("air minum isi ulang",)),
    "air isi ulang": _syn("11052", ("air minum isi ulang",)),
    "isi ulang": _syn("11052", ("air minum isi ulang",)),
    "galon": _syn("11052", ("air minum isi ulang",)),
    # --- shops
    "kelontong": _syn("47112 47192", ("barang kelontong", "eceran berbagai barang")),
    "toko kelontong": _syn("47112 47192", ("barang kelontong",)),
    "pracangan": _syn("47112 47192", ("eceran berbagai barang",)),
    "sembako": _syn("47112 47241", ("kebutuhan pokok", "eceran berbagai barang")),
    "toko": _syn("47112 47192", ("toko", "eceran")),
    "minimarket": _syn("47111", ("minimarket",)),
    "toko bangunan": _syn("47528 47524 47521", ("material bangunan",)),
    "material": _syn("47528 47524", ("material bangunan",)),
    "toko kue": _syn("47242 10710", ("eceran roti kue",)),
    "toko baju": _syn("47711 47832", ("eceran pakaian",)),
    "baju": _syn("47711 14111 14120", ("pakaian",)),
    "konter": _syn("47414 61999 95120", ("alat telekomunikasi", "pulsa")),
    "hp": _syn("47414 95120 61999", ("alat telekomunikasi", "telepon seluler")),
    "handphone": _syn("47414 95120 61999", ("alat telekomunikasi",)),
    "ponsel": _syn("47414 95120 61999", ("alat telekomunikasi",)),
    "pulsa": _syn("61999 47414", ("penjualan pulsa",)),
    "servis hp": _syn("95120", ("reparasi peralatan komunikasi",)),
    "apotek": _syn("47721 47722", ("apotik",)),
    "apotik": _syn("47721 47722", ("apotik",)),
    "bensin": _syn("47302 47301", ("bahan bakar minyak",)),
    "pertamini": _syn("47302", ("bahan bakar minyak",)),
    "elpiji": _syn("47772", ("gas elpiji",)),
    "lpg": _syn("47772 47302", ("gas elpiji",)),
    "pakan": _syn("47754 47828", ("pakan ternak",)),
    # --- services
    "bengkel": _syn("45407 45201 45202 45406 45302", ("reparasi sepeda motor", "reparasi mobil")),
    "bengkel motor": _syn("45407 45406", ("reparasi sepeda motor",)),
    "bengkel mobil": _syn("45201 45202", ("reparasi mobil",)),
    "bengkel las": _syn("25920", ("pengelasan",)),
    "las": _syn("25920", ("pengelasan",)),
    "servis": _syn("45407 45201 95120", ("reparasi",)),
    "tambal ban": _syn("45407 45201", ("reparasi ban", "ban")),
    "cuci motor": _syn("45407 45202", ("pencucian sepeda motor",)),
    "cuci mobil": _syn("45202", ("pencucian mobil",)),
    "jahit": _syn("14120 14111 14112", ("penjahitan", "konveksi", "pakaian jadi")),
    "penjahit": _syn("14120 14111", ("penjahitan",)),
    "konveksi": _syn("14111 14120", ("konveksi", "pakaian jadi")),
    "bordir": _syn("14302 13922", ("sulaman bordir",)),
    "sablon": _syn("13133 18111", ("pencetakan kain",)),
    "salon": _syn("96112 96111 45202", ("salon kecantikan", "pangkas rambut")),
    "pangkas": _syn("96111", ("pangkas rambut",)),
    "cukur": _syn("96111", ("pangkas rambut",)),
    "potong rambut": _syn("96111 96112", ("pangkas rambut",)),
    "barbershop": _syn("96111", ("pangkas rambut", "barber")),
    "rias": _syn("96112", ("salon kecantikan", "make up")),
    "pijat": _syn("96121", ("pijat",)),
    "laundry": _syn("96200", ("penatu", "pencucian pakaian")),
    "londri": _syn("96200", ("penatu",)),
    "binatu": _syn("96200", ("penatu",)),
    "fotokopi": _syn("82190", ("fotokopi",)),
    "fotocopy": _syn("82190", ("fotokopi",)),
    "foto kopi": _syn("82190", ("fotokopi",)),
    "foto copy": _syn("82190", ("fotokopi",)),
    "ojek": _syn("49424", ("ojek",)),
    "ojol": _syn("49424", ("ojek online",)),
    "kos": _syn("55900 68111", ("rumah kost", "akomodasi lainnya")),
    "kost": _syn("55900 68111", ("rumah kost",)),
    "kos kosan": _syn("55900 68111", ("rumah kost",)),
    "indekos": _syn("55900 68111", ("rumah kost",)),
    "homestay": _syn("55130", ("pondok wisata",)),
    # --- farming and livestock
    "sawah": _syn("01122 01121 01611", ("pertanian padi", "pengolahan lahan")),
    "tani": _syn("01122 01121", ("pertanian",)),
    "petani": _syn("01122 01121", ("pertanian",)),
    "ternak": _syn("01462 01411 01442 01464 01461", ("peternakan", "budidaya", "pembibitan")),
    "peternak": _syn("01462 01411 01442 01464 01461", ("peternakan",)),
    "telur": _syn("01462 01464", ("ayam ras petelur",)),
    "lele": _syn("03221 03226", ("pembesaran ikan air tawar",)),
    "kolam": _syn("03221 03226", ("ikan air tawar",)),
}

# fmt: off
_QUERY_STOPWORDS: frozenset[str] = frozenset({
    "dan", "atau", "yang", "di", "ke", "dari", "untuk", "dengan", "serta", "ini", "itu",
    "pak", "bu", "mas", "mbak", "jual", "jualan",
})

# Boilerplate that every description repeats: left out of the compact keyword strings.
_KEYWORD_STOPWORDS: frozenset[str] = frozenset({
    "kelompok", "ini", "mencakup", "usaha", "kegiatan", "yang", "dan", "atau", "dari", "untuk",
    "dengan", "seperti", "termasuk", "dalam", "lainnya", "sejenisnya", "juga", "baik", "maupun",
    "tidak", "pada", "oleh", "sebagai", "serta", "adalah", "dapat", "akan", "telah", "tersebut",
    "lain", "berbagai", "macam", "jenis", "ke", "di", "itu", "atas", "bagi", "secara", "hal",
    "para", "sendiri", "tertentu", "biasanya", "umumnya", "misalnya", "yaitu", "antara", "ytdl",
    "tsb", "dsb", "dimasukkan", "diklasifikasikan", "tempat", "subgolongan", "golongan", "the",
    "and", "of",
})
# fmt: on

# Scores. Any title match (>= 45) beats any description match (<= 10).
_TITLE = 100.0
_TITLE_FIRST_WORD = 15.0
_DESCRIPTION = 10.0
_PREFIX_BASE = 0.55  # + _PREFIX_COVER * (query length / word length)
_PREFIX_COVER = 0.15
_STEM_EXACT = 0.75
_STEM_PREFIX = 0.45
_QUERY_STEM = 0.7
_SYNONYM_TERM = 0.8
_PIN_TOP = 150.0
_PIN_STEP = 6.0
_PIN_PARTIAL = 0.85  # pins of a synonym whose key merely starts with the typed word
_BREVITY = 5.0  # / number of title words; stays below _PIN_STEP
_MIN_STEM_PREFIX_QUERY = 3
_MIN_SYNONYM_PREFIX_QUERY = 4
_MAX_KEY_WORDS = 3

_Postings = dict[str, dict[int, float]]


@dataclass(frozen=True, slots=True)
class KbliEntry:
    """One KBLI 2020 kelompok (5-digit code)."""

    code: str
    title: str
    section: str
    description: str


def _put(index: _Postings, term: str, doc: int, score: float) -> None:
    postings = index.setdefault(term, {})
    if score > postings.get(doc, 0.0):
        postings[doc] = score


def _terms_with_prefix(vocabulary: list[str], prefix: str) -> Iterator[str]:
    i = bisect_left(vocabulary, prefix)
    while i < len(vocabulary) and vocabulary[i].startswith(prefix):
        yield vocabulary[i]
        i += 1


def _bump(scores: dict[int, float], doc: int, score: float) -> None:
    if score > scores.get(doc, 0.0):
        scores[doc] = score


class KbliCatalog:
    """All 1,790 KBLI 2020 5-digit codes, with lookup and everyday-word search."""

    __slots__ = (
        "_brevity",
        "_by_code",
        "_entries",
        "_stem",
        "_stem_vocab",
        "_surface",
        "_surface_vocab",
        "_synonym_docs",
        "_synonyms",
        "_title",
        "_title_vocab",
    )

    def __init__(
        self, entries: Iterable[KbliEntry], synonyms: Mapping[str, Synonym] | None = None
    ) -> None:
        self._entries: list[KbliEntry] = sorted(entries, key=lambda e: e.code)
        self._by_code: dict[str, int] = {}
        for i, entry in enumerate(self._entries):
            if not _CODE_RE.fullmatch(entry.code):
                raise ValueError(f"KBLI code must be 5 digits: {entry.code!r}")
            if entry.code in self._by_code:
                raise ValueError(f"duplicate KBLI code {entry.code}")
            self._by_code[entry.code] = i
        self._synonyms: dict[str, Synonym] = dict(SYNONYMS if synonyms is None else synonyms)
        # Pinned codes that are not in the data are ignored (tests check the table).
        self._synonym_docs: dict[str, tuple[int, ...]] = {
            key: tuple(self._by_code[c] for c in syn.codes if c in self._by_code)
            for key, syn in self._synonyms.items()
        }
        self._surface: _Postings = {}
        self._stem: _Postings = {}
        self._title: _Postings = {}  # title words only: for 1-2 letter queries
        self._brevity: list[float] = []
        self._build_index()
        self._surface_vocab: list[str] = sorted(self._surface)
        self._stem_vocab: list[str] = sorted(self._stem)
        self._title_vocab: list[str] = sorted(self._title)

    # ---------------------------------------------------------------- loading and lookup

    @classmethod
    def load(cls, path: Path | None = None) -> KbliCatalog:
        """Read ``code,title,section,description`` CSV (default: ``app/data/kbli2020.csv``)."""
        csv_path = DEFAULT_KBLI_PATH if path is None else Path(path)
        with csv_path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != _COLUMNS:
                raise ValueError(f"{csv_path}: expected columns {_COLUMNS}")
            entries = [
                KbliEntry(
                    code=row["code"].strip(),
                    title=row["title"].strip(),
                    section=row["section"].strip(),
                    description=row["description"].strip(),
                )
                for row in reader
            ]
        return cls(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[KbliEntry]:
        return iter(self._entries)

    def get(self, code: str) -> KbliEntry | None:
        i = self._by_code.get(code.strip())
        return None if i is None else self._entries[i]

    def exists(self, code: str) -> bool:
        return code.strip() in self._by_code

    # ---------------------------------------------------------------- index

    def _build_index(self) -> None:
        for doc, entry in enumerate(self._entries):
            title_words = [w for w in tokenize(entry.title) if not w.isdigit()]
            self._brevity.append(_BREVITY / max(len(title_words), 1))
            for position, word in enumerate(title_words):
                score = _TITLE + (_TITLE_FIRST_WORD if position == 0 else 0.0)
                _put(self._surface, word, doc, score)
                _put(self._title, word, doc, score)
                for stem in stems(word):
                    _put(self._stem, stem, doc, score)
            for word in set(tokenize(entry.description)):
                if word.isdigit():
                    continue
                _put(self._surface, word, doc, _DESCRIPTION)
                for stem in stems(word):
                    _put(self._stem, stem, doc, _DESCRIPTION)

    # ---------------------------------------------------------------- search

    def search(self, query: str, limit: int = 15) -> list[KbliEntry]:
        """Best KBLI entries for ``query``, best first (at most ``limit``).

        A query of 1-5 digits (dots, dashes and spaces ignored) lists the codes starting
        with it, the exact code first. Otherwise every word must match (see module doc);
        digit words in a mixed query ("561 bakso") restrict results to that code prefix.
        """
        if limit <= 0:
            return []
        compact = _CODE_QUERY_SEPARATORS_RE.sub("", query)
        if compact.isdigit():
            return self._code_prefix(compact, limit)
        tokens = tokenize(query)
        code_prefixes = [t for t in tokens if t.isdigit()]
        if any(len(p) > 5 for p in code_prefixes):
            return []
        words = [t for t in tokens if not t.isdigit()]
        meaningful = [w for w in words if w not in _QUERY_STOPWORDS]
        words = list(dict.fromkeys(meaningful or words))
        if not words:
            return self._code_prefix(code_prefixes[0], limit) if code_prefixes else []

        per_unit = [self._unit_scores(unit) for unit in self._units(words)]
        per_unit.sort(key=len)
        candidates = set(per_unit[0])
        for scores in per_unit[1:]:
            candidates.intersection_update(scores)
            if not candidates:
                return []
        ranked: list[tuple[float, str, int]] = []
        for doc in candidates:
            code = self._entries[doc].code
            if code_prefixes and not all(code.startswith(p) for p in code_prefixes):
                continue
            total = sum(scores[doc] for scores in per_unit) + self._brevity[doc]
            ranked.append((-total, code, doc))
        return [self._entries[doc] for _, _, doc in heapq.nsmallest(limit, ranked)]

    def _code_prefix(self, prefix: str, limit: int) -> list[KbliEntry]:
        if len(prefix) > 5:
            return []
        start = bisect_left(self._entries, prefix, key=lambda e: e.code)
        out: list[KbliEntry] = []
        for entry in self._entries[start:]:
            if not entry.code.startswith(prefix) or len(out) >= limit:
                break
            out.append(entry)  # sorted by code, so an exact 5-digit match comes first
        return out

    def _units(self, words: list[str]) -> list[str]:
        """Group adjacent words that form a multi-word synonym key ("warung makan")."""
        units: list[str] = []
        i = 0
        while i < len(words):
            for size in range(min(_MAX_KEY_WORDS, len(words) - i), 1, -1):
                key = " ".join(words[i : i + size])
                if key in self._synonyms:
                    units.append(key)
                    i += size
                    break
            else:
                units.append(words[i])
                i += 1
        return units

    def _word_scores(self, word: str) -> dict[int, float]:
        """Best score of every document containing ``word`` (no synonyms)."""
        scores: dict[int, float] = {}
        # A 1-2 letter query (first keystrokes) is matched against titles only: in the
        # descriptions it would hit nearly everything, slowly and uselessly.
        short = len(word) < _MIN_STEM_PREFIX_QUERY
        vocabulary, index = (
            (self._title_vocab, self._title) if short else (self._surface_vocab, self._surface)
        )
        for term in _terms_with_prefix(vocabulary, word):
            factor = 1.0 if term == word else _PREFIX_BASE + _PREFIX_COVER * len(word) / len(term)
            for doc, base in index[term].items():
                _bump(scores, doc, base * factor)
        if len(word) >= _MIN_STEM_PREFIX_QUERY:
            for term in _terms_with_prefix(self._stem_vocab, word):
                factor = _STEM_EXACT if term == word else _STEM_PREFIX
                for doc, base in self._stem[term].items():
                    _bump(scores, doc, base * factor)
        # The query word itself may be affixed ("menjahit"): try its roots, but only roots
        # that are real words of the catalog, so that garbage stems never match.
        for root in stems(word):
            if root not in self._surface:
                continue
            for doc, base in self._surface[root].items():
                _bump(scores, doc, base * _QUERY_STEM)
            for doc, base in self._stem.get(root, {}).items():
                _bump(scores, doc, base * _QUERY_STEM * _STEM_EXACT)
        return scores

    def _phrase_scores(self, words: list[str]) -> dict[int, float]:
        """Documents matching all ``words``, scored from their per-word scores."""
        per_word = sorted((self._word_scores(w) for w in words), key=len)
        if not per_word:
            return {}
        docs = set(per_word[0])
        for scores in per_word[1:]:
            docs.intersection_update(scores)
        out: dict[int, float] = {}
        for d in docs:
            values = [s[d] for s in per_word]
            in_title = [v > _DESCRIPTION for v in values]
            # A phrase counts as a title match only if all its words are in the title;
            # "rumah" in a title plus "minum" somewhere in the description is not "rumah minum".
            out[d] = (
                sum(values) / len(values) if all(in_title) or not any(in_title) else min(values)
            )
        return out

    def _synonyms_for(self, unit: str) -> list[tuple[str, float]]:
        """Synonym keys that apply to ``unit`` and the weight of their pinned codes."""
        if unit in self._synonyms:
            return [(unit, 1.0)]
        if " " in unit:
            return []
        roots = [r for r in stems(unit) if r in self._synonyms]
        if roots:
            return [(r, 1.0) for r in roots]
        if len(unit) >= _MIN_SYNONYM_PREFIX_QUERY:  # typing in progress: "kelont"
            return [
                (key, _PIN_PARTIAL)
                for key in self._synonyms
                if " " not in key and key.startswith(unit)
            ]
        return []

    def _unit_scores(self, unit: str) -> dict[int, float]:
        words = unit.split()
        scores = self._word_scores(words[0]) if len(words) == 1 else self._phrase_scores(words)
        for key, weight in self._synonyms_for(unit):
            for term in self._synonyms[key].terms:
                for doc, score in self._phrase_scores(term.split()).items():
                    _bump(scores, doc, score * _SYNONYM_TERM * weight)
            for rank, doc in enumerate(self._synonym_docs[key]):
                _bump(scores, doc, (_PIN_TOP - _PIN_STEP * rank) * weight)
        return scores

    # ---------------------------------------------------------------- offline export

    def keywords(self, entry: KbliEntry) -> str:
        """Description reduced to distinct folded words not already in the title."""
        title_words = set(tokenize(entry.title))
        seen: dict[str, None] = {}
        for word in tokenize(entry.description):
            if (
                len(word) >= 3
                and not word.isdigit()
                and word not in _KEYWORD_STOPWORDS
                and word not in title_words
            ):
                seen.setdefault(word, None)
        return " ".join(seen)

    def compact_json(self) -> bytes:
        """Compact UTF-8 JSON of the catalog for the offline search on the phone.

        ``{"v":2,"fields":["code","title","keywords"],"rows":[[code,title,keywords],...],
        "synonyms":[[key,[codes...]],...]}``. Rows are sorted by code; titles are complete;
        ``keywords`` is the folded description vocabulary (:meth:`keywords`) without the
        words the phone's search could never match through them (:func:`phone_keywords`),
        so the phone finds exactly what it found with the whole vocabulary. Synonyms carry
        only their pinned codes: the phone's search does not read the KBLI terms.
        """
        payload = {
            "v": 2,
            "fields": ["code", "title", "keywords"],
            "rows": [
                [e.code, e.title, " ".join(phone_keywords(e.title, self.keywords(e).split()))]
                for e in self._entries
            ],
            "synonyms": [
                [key, [self._entries[d].code for d in self._synonym_docs[key]]]
                for key in sorted(self._synonyms)
            ],
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --------------------------------------------------------------------------------------------
# What the phone's search (sw/offline-data.js) needs of a description
# --------------------------------------------------------------------------------------------

# sw/offline-data.js PREFIXES and stems(): a word and the word without one of these prefixes
# (when more than two letters remain). Keep the two in step.
PHONE_PREFIXES: tuple[str, ...] = (
    "menge", "penge", "meng", "peng", "mem", "men", "pem", "pen", "per", "ter",
    "ber", "me", "pe", "di", "ke",
)  # fmt: skip
_PHONE_SPLIT = re.compile(r"[^a-z0-9]+")


def phone_forms(word: str) -> list[str]:
    """The forms the phone matches a query word against (``stems`` in offline-data.js)."""
    return [word] + [
        word[len(p) :] for p in PHONE_PREFIXES if len(word) > len(p) + 2 and word.startswith(p)
    ]


def phone_keywords(title: str, keywords: list[str]) -> list[str]:
    """``keywords`` without the words that never decide a phone search result.

    On the phone a query word is looked up in the title first; only when no title word
    matches does the first matching keyword (in order) give its score. A query word matches
    a word when it is a prefix of one of its forms. So a keyword whose every form is a
    prefix of a form of a title word or of an earlier keyword is never that first match,
    and dropping it changes no result (tests/e2e/test_offline_ready.py compares the phone's
    answers with and without it).
    """
    title_words = [w for w in _PHONE_SPLIT.split(title.lower()) if w] if title.isascii() else []
    covered = [f for w in title_words for f in phone_forms(w)]
    kept: list[str] = []
    for word in keywords:
        forms = phone_forms(word)
        if all(any(c.startswith(f) for c in covered) for f in forms):
            continue
        kept.append(word)
        covered.extend(forms)
    return kept
