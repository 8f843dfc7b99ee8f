"""The WhatsApp hand-off: an admin-editable message, filled and put in a wa.me link."""

from __future__ import annotations

import re
from urllib.parse import quote

SETTING_KEY = "whatsapp_template"
PLACEHOLDERS = ("{nib}", "{usaha}", "{tautan}", "{survei}")
DEFAULT_TEMPLATE = (
    "Selamat, NIB untuk usaha {usaha} sudah terbit: {nib}. "
    "Status permohonan bisa dilihat di {tautan} . "
    "Mohon bantu kami menjadi lebih baik dengan mengisi survei kepuasan singkat: {survei} . "
    "Terima kasih — DPMPTSP Kabupaten Blitar."
)
MAX_LENGTH = 1000
_BRACES = re.compile(r"\{[^{}]*\}")


def validate_template(text: str) -> str | None:
    """An Indonesian error message, or None when the template is usable."""
    value = text.strip()
    if not value:
        return "Isi teks pesan terlebih dahulu."
    if len(value) > MAX_LENGTH:
        return f"Pesan terlalu panjang: paling banyak {MAX_LENGTH} huruf (sekarang {len(value)})."
    unknown = [m for m in _BRACES.findall(value) if m not in PLACEHOLDERS]
    if unknown:
        return (f"Tanda {unknown[0]} tidak dikenal. Gunakan hanya {{nib}}, {{usaha}}, "
                "{tautan}, atau {survei}.")
    if value.count("{") != value.count("}") or len(_BRACES.findall(value)) != value.count("{"):
        return "Tanda kurung kurawal { } tidak lengkap. Periksa kembali."
    if "{nib}" not in value:
        return "Pesan harus memuat {nib} agar pemohon menerima nomor NIB-nya."
    return None


def fill(template: str, nib: str, business_name: str, link: str, survey_link: str = "") -> str:
    # Plain replacement, never str.format: a template must not reach Python attributes.
    return (template.replace("{nib}", nib).replace("{usaha}", business_name)
            .replace("{tautan}", link).replace("{survei}", survey_link))


def wa_link(phone: str, message: str) -> str:
    """``https://wa.me/62…?text=…``; ``phone`` is stored as 62 + digits already."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(message, safe='')}"
