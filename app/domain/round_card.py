"""A round's shareable card: a square SVG (1080 × 1080) with the date, time, place,
kecamatan, services, the office's name and a QR code to the round's page, the way these
schedules travel (WhatsApp status, social media). Pure: text in, SVG text out."""

from __future__ import annotations

import textwrap
from xml.sax.saxutils import escape

import segno

from app.domain.schedule import OFFICE, SERVICE_NAME, PublicRound

SIZE = 1080
GREEN = "#0b6e4f"
RED = "#b3261e"
INK = "#10151c"


def _text(x: int, y: int, text: str, size: int, weight: str = "400", fill: str = INK,
          anchor: str = "start") -> str:
    return (f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}"'
            f' text-anchor="{anchor}">{escape(text)}</text>')


def _lines(text: str, width: int, most: int) -> list[str]:
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) > most:
        rest = textwrap.shorten(" ".join(lines[most - 1:]), width, placeholder="…")
        lines = [*lines[:most - 1], rest]
    return lines


def qr_path(url: str, x: int, y: int, size: int) -> str:
    """The QR code as one SVG path of dark squares, ``size`` pixels wide at (x, y)."""
    code = segno.make(url, error="m")
    rows = list(code.matrix_iter(border=2))
    unit = size / len(rows)
    parts = []
    for row_index, row in enumerate(rows):
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                parts.append(f"M{start},{row_index}h{col - start}v1h{start - col}z")
            else:
                col += 1
    return (f'<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="#fff"/>'
            f'<path transform="translate({x} {y}) scale({unit:.4f})" fill="{INK}"'
            f' d="{"".join(parts)}"/>')


def card_svg(item: PublicRound, url: str) -> str:
    accent = RED if item.cancelled else GREEN
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}"'
           f' viewBox="0 0 {SIZE} {SIZE}" font-family="DejaVu Sans, Arial, sans-serif"'
           f' role="img" aria-label="{escape(item.when_text, {chr(34): "&quot;"})}">',
           f'<rect width="{SIZE}" height="{SIZE}" fill="#ffffff"/>',
           f'<rect width="{SIZE}" height="150" fill="{accent}"/>',
           _text(60, 85, SERVICE_NAME, 56, "700", "#ffffff"),
           _text(60, 128, f"Layanan NIB keliling · {OFFICE}", 30, "400", "#ffffff")]
    y = 240
    if item.cancelled:
        out.append(_text(60, y, "DIBATALKAN", 72, "700", RED))
        y += 80
    out.append(_text(60, y, item.date_text, 60, "700"))
    y += 75
    out.append(_text(60, y, item.time_text, 52, "700", accent))
    y += 85
    for line in _lines(item.place, 32, 2):
        out.append(_text(60, y, line, 44, "700"))
        y += 54
    desa = f"{item.desa_name}, " if item.desa_name else ""
    out.append(_text(60, y, f"{desa}Kecamatan {item.kecamatan_name}", 36))
    y += 70
    for service in item.services[:5]:
        for line in _lines(f"• {service}", 46, 2):
            out.append(_text(60, y, line, 28))
            y += 36
        if y > 900:
            break
    out.append(_text(60, 1000, "Gratis · Bawa KTP dan nomor WhatsApp", 32, "700", accent))
    out.append(_text(60, 1045, url, 24, "400", "#444444"))
    out.append(qr_path(url, SIZE - 300, SIZE - 330, 250))
    out.append("</svg>")
    return "".join(out)
