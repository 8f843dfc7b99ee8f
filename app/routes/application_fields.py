"""What web/_application_fields.html needs besides values, errors and services: the
kecamatan list, the desa of the chosen kecamatan and the chosen KBLI codes' titles. The
officer's capture form, its correction form and the citizen's pre-registration share it."""

from __future__ import annotations

from typing import Any

from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions


def field_choices(values: dict[str, str], regions: Regions, kbli: KbliCatalog) -> dict[str, Any]:
    kecamatan = values.get("kecamatan") or ""
    chosen = [c for c in values.get("kbli", "").replace(",", " ").split() if c]
    return {
        "kecamatan_list": regions.kecamatan(),
        "desa_list": regions.desa_of(kecamatan) if kecamatan else [],
        "regions": regions,
        "chosen_kbli": [e for c in chosen if (e := kbli.get(c))],
    }
