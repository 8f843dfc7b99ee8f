"""What the simulated OSS does with a request that got through: its four API methods.

``registrasiUMK`` validates like OSS and issues a 13-digit NIB, one per reference for ever;
``cekRegistrasi`` answers the NIB of a reference, or 404; PIA's ``checkNIB`` and
``inqueryNIB`` answer in OSS's JSON shapes (``app.oss.pia``, shared with the gateway). Each
method takes the parsed JSON body and returns (HTTP status, answer). Faults, rate limits
and the user_key check happen before, in server.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from app.oss.pia import (
    MSG_NIB_NOT_FOUND,
    check_answer,
    inquery_answer,
    micro_business_record,
    parse_nib,
)
from app.ossim.counters import Counters
from app.ossim.store import NibStore
from app.ossim.validation import validate_registration

Record = dict[str, Any]
Answer = tuple[int, dict[str, Any]]


def summary(record: Record) -> dict[str, Any]:
    """What the registration answer carries: the NIB and its permit data, no personal data."""
    return {
        "nib": record["nib"],
        "oss_id": record["oss_id"],
        "tgl_terbit_nib": record["tgl_terbit_nib"],
        "status_nib": record["status_nib"],
        "skala_usaha": record["skala_usaha"],
        "kbli": [p["kbli"] for p in record.get("data_proyek", [])],
    }


class OssMethods:
    """The API methods over the NIB register. ``on_new`` hears of every NIB issued (the
    server pushes it to the app when told to, as OSS does)."""

    def __init__(self, store: NibStore, kbli: dict[str, tuple[str, str]], counters: Counters,
                 on_new: Callable[[Record], None]) -> None:
        self.store = store
        self.kbli = kbli
        self.counters = counters
        self._on_new = on_new

    def handlers(self) -> dict[str, Callable[[Any], Answer]]:
        return {
            "registrasiUMK": self.register,
            "cekRegistrasi": self.lookup,
            "checkNIB": self.check_nib,
            "inqueryNIB": self.inquery_nib,
        }

    def register(self, body: Any) -> Answer:
        counters = self.counters
        counters.values["registrations"] += 1
        reg = body.get("REGISTRASI") if isinstance(body, dict) else None
        errors = validate_registration(reg, self.kbli, datetime.now(UTC).date())
        key = "responregistrasiUMK"
        if errors:
            counters.values["rejected"] += 1
            return 400, {key: {"kode": 400, "keterangan": "Data tidak valid",
                               "kesalahan": errors}}
        assert isinstance(reg, dict)
        record, new = self.issue(reg["referensi"], reg, "api")
        if new:
            counters.values["nibs_issued"] += 1
        else:
            counters.values["duplicate_registrations"] += 1
        return 200, {key: {"kode": 200, "keterangan": "NIB terbit", "dataNIB": summary(record)}}

    def issue(self, reference: str, reg: dict[str, Any], source: str) -> tuple[Record, bool]:
        """The record of ``reference``, issuing its NIB if it has none. (record, new?)"""
        projects = [p for p in reg.get("data_proyek", []) if isinstance(p, dict)]
        first = projects[0] if projects else {}

        def make(nib: str, oss_id: str, now: datetime) -> Record:
            return micro_business_record(
                nib=nib, oss_id=oss_id, issued_at=now, nik=str(reg.get("no_identitas", "")),
                name=str(reg.get("nama", "")),
                business_name=str(first.get("nama_kegiatan", reg.get("nama", ""))),
                kblis=[(str(p.get("kbli")), self.kbli.get(str(p.get("kbli")), ("", ""))[0])
                       for p in projects],
                region_id=str(reg.get("daerah_id", "")),
                address=str(first.get("alamat_usaha", reg.get("alamat", ""))),
                scale=str(reg.get("skala_usaha", "01")),
                workers_male=int(first.get("jumlah_tki_l", 0) or 0),
                workers_female=int(first.get("jumlah_tki_p", 0) or 0),
                capital=int(first.get("modal_kerja", 0) or 0),
            )

        record, new = self.store.issue(reference, str(reg.get("no_identitas", "")),
                                       reg.get("npwp") or None, source, make)
        if new:
            self._on_new(record)
        return record, new

    def portal_record(self, body: dict[str, Any]) -> Record:
        """A NIB registered in the OSS portal (not through our API)."""
        kblis = body.get("kbli") or []
        reg = {
            "no_identitas": str(body.get("nik", "")),
            "nama": str(body.get("nama", "Pelaku Usaha")),
            "daerah_id": str(body.get("daerah_id", "3505012001")),
            "data_proyek": [{"kbli": str(code), "nama_kegiatan": str(body.get("nama_usaha",
                                                                              "Usaha Mikro"))}
                            for code in kblis],
        }
        record, _ = self.issue("portal:" + secrets.token_hex(8), reg, "portal")
        return record

    def lookup(self, body: Any) -> Answer:
        self.counters.values["lookups"] += 1
        query = body.get("CEKREGISTRASI") if isinstance(body, dict) else None
        reference = query.get("referensi") if isinstance(query, dict) else None
        record = self.store.by_reference(reference) if isinstance(reference, str) else None
        key = "responcekRegistrasi"
        if record is None:
            return 404, {key: {"kode": 404, "keterangan": "Referensi tidak ditemukan"}}
        return 200, {key: {"kode": 200, "keterangan": "Ditemukan", "dataNIB": summary(record)}}

    def check_nib(self, body: Any) -> Answer:
        self.counters.values["check_nib"] += 1
        query = body.get("CHECKNIB") if isinstance(body, dict) else None
        nib = parse_nib(query.get("nib")) if isinstance(query, dict) else None
        record = self.store.by_nib(nib) if nib else None
        if record is None:
            return 400, check_answer(400, MSG_NIB_NOT_FOUND, None)
        return 200, check_answer(200, "Sukses", {"nib": record["nib"], "nama_perusahaan":
                                                 record["nama_perseroan"],
                                                 "status": record["status_nib"]})

    def inquery_nib(self, body: Any) -> Answer:
        self.counters.values["inquery_nib"] += 1
        query = body.get("INQUERYNIB") if isinstance(body, dict) else None
        record = None
        if isinstance(query, dict):
            nib = parse_nib(query.get("nib"))
            if nib:
                record = self.store.by_nib(nib)
            elif isinstance(query.get("npwp"), str):
                record = self.store.by_npwp(query["npwp"])
        if record is None:
            return 400, inquery_answer(400, MSG_NIB_NOT_FOUND, None)
        return 200, inquery_answer(200, "", record)
