"""Kabupaten Blitar (35.05): its 22 kecamatan and 248 desa/kelurahan.

Codes are Kemendagri codes in dotted form (``35.05.01`` kecamatan, ``35.05.01.2001`` desa).
Lookups also accept the undotted form that OSS uses (``3505012001``); see :meth:`to_oss_code`.
Data: ``app/data/wilayah_kab_blitar.csv`` (from cahyadsn/wilayah, MIT; see SOURCES.md).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DATA_DIR: Path = Path(__file__).resolve().parent.parent / "data"
DEFAULT_REGIONS_PATH: Path = DATA_DIR / "wilayah_kab_blitar.csv"

_COLUMNS: tuple[str, ...] = ("kecamatan_code", "kecamatan", "desa_code", "desa", "type")
_KECAMATAN_RE = re.compile(r"\d{2}\.\d{2}\.\d{2}")
_DESA_RE = re.compile(r"(\d{2}\.\d{2}\.\d{2})\.\d{4}")
_DESA_TYPES = frozenset({"desa", "kelurahan", "desa adat"})


@dataclass(frozen=True, slots=True)
class Kecamatan:
    code: str  # "35.05.01"
    name: str


@dataclass(frozen=True, slots=True)
class Desa:
    code: str  # "35.05.01.2001"
    name: str
    kecamatan_code: str  # "35.05.01"
    type: str  # "desa" | "kelurahan" (| "desa adat")


def _key(code: str) -> str:
    """Lookup key: the code without dots or surrounding spaces."""
    return code.strip().replace(".", "")


class Regions:
    """Kecamatan and desa of Kabupaten Blitar, for pickers and code validation."""

    __slots__ = ("_desa", "_desa_by_kecamatan", "_kecamatan", "_kecamatan_list")

    def __init__(self, kecamatan: Iterable[Kecamatan], desa: Iterable[Desa]) -> None:
        self._kecamatan: dict[str, Kecamatan] = {}
        for kec in kecamatan:
            if not _KECAMATAN_RE.fullmatch(kec.code):
                raise ValueError(f"bad kecamatan code {kec.code!r}")
            if _key(kec.code) in self._kecamatan:
                raise ValueError(f"duplicate kecamatan code {kec.code}")
            self._kecamatan[_key(kec.code)] = kec
        self._desa: dict[str, Desa] = {}
        by_kecamatan: dict[str, list[Desa]] = {k: [] for k in self._kecamatan}
        for d in desa:
            match = _DESA_RE.fullmatch(d.code)
            if match is None or match.group(1) != d.kecamatan_code:
                raise ValueError(f"bad desa code {d.code!r} for kecamatan {d.kecamatan_code!r}")
            if _key(d.kecamatan_code) not in self._kecamatan:
                raise ValueError(f"desa {d.code} in unknown kecamatan {d.kecamatan_code}")
            if _key(d.code) in self._desa:
                raise ValueError(f"duplicate desa code {d.code}")
            if d.type not in _DESA_TYPES:
                raise ValueError(f"bad desa type {d.type!r} for {d.code}")
            self._desa[_key(d.code)] = d
            by_kecamatan[_key(d.kecamatan_code)].append(d)
        self._kecamatan_list: list[Kecamatan] = sorted(
            self._kecamatan.values(), key=lambda k: (k.name.casefold(), k.code)
        )
        self._desa_by_kecamatan: dict[str, list[Desa]] = {
            k: sorted(v, key=lambda d: (d.name.casefold(), d.code)) for k, v in by_kecamatan.items()
        }

    @classmethod
    def load(cls, path: Path | None = None) -> Regions:
        """Read the ``kecamatan_code,kecamatan,desa_code,desa,type`` CSV (default: app/data)."""
        csv_path = DEFAULT_REGIONS_PATH if path is None else Path(path)
        kecamatan: dict[str, Kecamatan] = {}
        desa: list[Desa] = []
        with csv_path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != _COLUMNS:
                raise ValueError(f"{csv_path}: expected columns {_COLUMNS}")
            for row in reader:
                kec_code = row["kecamatan_code"].strip()
                kec = Kecamatan(code=kec_code, name=row["kecamatan"].strip())
                if kecamatan.setdefault(kec_code, kec) != kec:
                    raise ValueError(f"{csv_path}: kecamatan {kec_code} has two names")
                desa.append(
                    Desa(
                        code=row["desa_code"].strip(),
                        name=row["desa"].strip(),
                        kecamatan_code=kec_code,
                        type=row["type"].strip(),
                    )
                )
        return cls(kecamatan.values(), desa)

    def kecamatan(self) -> list[Kecamatan]:
        """All kecamatan, sorted by name."""
        return list(self._kecamatan_list)

    def desa_of(self, kecamatan_code: str) -> list[Desa]:
        """Desa/kelurahan of a kecamatan, sorted by name ([] for an unknown code)."""
        return list(self._desa_by_kecamatan.get(_key(kecamatan_code), ()))

    def desa(self, code: str) -> Desa | None:
        return self._desa.get(_key(code))

    def kecamatan_of_desa(self, desa_code: str) -> str | None:
        """Dotted kecamatan code of a desa, or None if the desa is unknown."""
        d = self._desa.get(_key(desa_code))
        return None if d is None else d.kecamatan_code

    def kecamatan_name(self, code: str) -> str | None:
        kec = self._kecamatan.get(_key(code))
        return None if kec is None else kec.name

    def all_desa(self) -> list[Desa]:
        """Every desa/kelurahan, sorted by code."""
        return sorted(self._desa.values(), key=lambda d: d.code)

    def compact_json(self) -> bytes:
        """``{"v":1,"kecamatan":[[code,name,[[desa_code,desa_name,type],...]],...]}``.

        Kecamatan and their desa are sorted by name, as the pickers show them.
        """
        payload = {
            "v": 1,
            "kecamatan": [
                [
                    kec.code,
                    kec.name,
                    [[d.code, d.name, d.type] for d in self._desa_by_kecamatan[_key(kec.code)]],
                ]
                for kec in self._kecamatan_list
            ],
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @staticmethod
    def to_oss_code(dotted: str) -> str:
        """Kemendagri dotted code to the OSS ``string(10)`` form: "35.05.01.2001" -> "3505012001".

        Works for any level ("35.05" -> "3505"); an undotted code is returned unchanged.
        """
        plain = _key(dotted)
        if not plain.isdigit() or not plain.isascii():
            raise ValueError(f"not a Kemendagri region code: {dotted!r}")
        return plain
