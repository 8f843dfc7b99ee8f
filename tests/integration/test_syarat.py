"""/syarat and its printable poster."""

from __future__ import annotations

from tests.support import ServerProcess, client, visible_text


def test_requirements_page_names_the_rules_numbers(server: ServerProcess) -> None:
    with client(server.url) as citizen:
        page = citizen.get("/syarat")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "KTP" in text and "WhatsApp" in text and "gratis" in text
    assert "modal usaha sampai Rp1 miliar" in text  # scale.MIKRO_MAX
    assert "lebih dari Rp1 miliar sampai Rp5 miliar" in text  # scale.KECIL_MAX
    assert "lebih dari 2 kode KBLI" in text  # application.MAX_FIELD_KBLI
    assert "BPJS Ketenagakerjaan" in text and "Dinas Kesehatan" in text  # agencies table
    assert "Sertifikat halal" in text


def test_poster_is_an_a4_page_with_a_qr_code_to_the_page(server: ServerProcess) -> None:
    with client(server.url) as citizen:
        poster = citizen.get("/syarat/poster")
        css_href = poster.text.split('href="/static/css/poster.css')[1].split('"')[0]
        css = citizen.get("/static/css/poster.css" + css_href).text
    assert poster.status_code == 200
    assert "<svg" in poster.text and f"{server.url}/syarat" in poster.text
    assert "@page { size: A4 portrait" in css
    assert "GRATIS" in poster.text
