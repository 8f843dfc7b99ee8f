"""What /syarat tells a citizen: who the car serves, the steps and the partner services.

The numbers come from the rules they restate (PP 7/2021 thresholds in scale.py, the field
limit of KBLI codes in application.py), never typed again here.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.application import MAX_FIELD_KBLI
from app.domain.scale import KECIL_MAX, MIKRO_MAX


def rupiah_words(amount: int) -> str:
    """Rp in plain words for round amounts: 1_000_000_000 -> "Rp1 miliar"."""
    for size, word in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta")):
        if amount >= size and amount % size == 0:
            return f"Rp{amount // size} {word}"
    return f"Rp{amount:,}".replace(",", ".")


@dataclass(frozen=True, slots=True)
class Step:
    what: str
    how_long: str


STEPS: tuple[Step, ...] = (
    Step("Datang ke mobil layanan dengan membawa KTP dan HP yang ada WhatsApp-nya.",
         "antre beberapa menit"),
    Step("Petugas mengisi formulir bersama Anda dan mencocokkan data dengan KTP.",
         "sekitar 10–15 menit"),
    Step("Anda menerima tanda terima dengan kode pelacakan.", "saat itu juga"),
    Step("Data dikirim ke OSS. Bila di lokasi tidak ada sinyal, HP petugas mengirimnya "
         "otomatis begitu sinyal kembali.", "biasanya pada hari yang sama"),
    Step("NIB terbit dan dikabarkan lewat WhatsApp atau notifikasi. Status bisa dicek kapan "
         "saja di halaman Cek status.", "biasanya 1 hari kerja"),
)


@dataclass(frozen=True, slots=True)
class PartnerService:
    name: str
    agency: str
    bring: str


# From the office's list of partner services (../shared/SERVICES.md).
PARTNER_SERVICES: tuple[PartnerService, ...] = (
    PartnerService("Sertifikat halal gratis (self-declare)", "Kemenag / BPJPH",
                   "NIB, KTP, daftar produk dan bahan, cara membuat"),
    PartnerService("Izin PIRT (pangan olahan rumah tangga)", "Dinas Kesehatan",
                   "KTP, NIB, sertifikat penyuluhan keamanan pangan, label produk"),
    PartnerService("NPWP", "KPP Pratama", "KTP elektronik, KK, nomor HP"),
    PartnerService("BPJS Ketenagakerjaan pekerja mandiri", "BPJS Ketenagakerjaan",
                   "KTP, nomor HP"),
    PartnerService("BPJS Kesehatan", "BPJS Kesehatan", "KTP, KK"),
    PartnerService("Merek dagang untuk UMK", "DJKI dengan rekomendasi Dinas Koperasi/"
                   "Disperindag", "gambar label, KTP, NIB, daftar barang"),
    PartnerService("Kredit Usaha Rakyat (KUR)", "bank penyalur", "NIB, KTP elektronik, KK"),
    PartnerService("Konsultasi bangunan (PBG)", "Dinas PUPR", "data bangunan"),
    PartnerService("Konsultasi lingkungan (UKL-UPL)", "Dinas Lingkungan Hidup",
                   "data usaha"),
)


def thresholds() -> dict[str, str]:
    """The numbers /syarat names, in words."""
    return {"mikro_max": rupiah_words(MIKRO_MAX), "kecil_max": rupiah_words(KECIL_MAX),
            "max_kbli": str(MAX_FIELD_KBLI)}
