"""Email: optional here (the form decides whether it is required); a pragmatic check."""

import pytest

from app.domain.email import normalize_email
from app.domain.errors import FieldError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("siti@gmail.com", "siti@gmail.com"),
        ("  siti@gmail.com  ", "siti@gmail.com"),
        ("Siti.Nuraini@Gmail.COM", "Siti.Nuraini@gmail.com"),  # only the domain is lowercased
        ("budi+umkm@yahoo.co.id", "budi+umkm@yahoo.co.id"),
        ("dpmptsp@blitarkab.go.id", "dpmptsp@blitarkab.go.id"),
        ("a_b-c@sub-domain.example.org", "a_b-c@sub-domain.example.org"),
        ("x@a.io", "x@a.io"),
    ],
)
def test_valid_email(raw: str | None, expected: str | None) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("siti gmail.com", "Alamat email tidak boleh berisi spasi. Contoh: nama@gmail.com."),
        ("siti @gmail.com", "tidak boleh berisi spasi"),
        ("sitigmail.com", "Alamat email harus berisi satu tanda @. Contoh: nama@gmail.com."),
        ("siti@@gmail.com", "satu tanda @"),
        ("siti@gmail@com", "satu tanda @"),
        ("@gmail.com", "Bagian sebelum tanda @ masih kosong atau salah."),
        (".siti@gmail.com", "Bagian sebelum tanda @"),
        ("siti..nur@gmail.com", "Bagian sebelum tanda @"),
        ("siti,nur@gmail.com", "Bagian sebelum tanda @"),
        ("siti@gmail", "Bagian setelah tanda @ harus nama domain yang lengkap, misalnya gmail.com"),
        ("siti@", "Bagian setelah tanda @"),
        ("siti@gmail.", "Bagian setelah tanda @"),
        ("siti@.com", "Bagian setelah tanda @"),
        ("siti@gmail..com", "Bagian setelah tanda @"),
        ("siti@gmail,com", "Bagian setelah tanda @"),
        ("siti@gmail.c", "Bagian setelah tanda @"),
        ("siti@-gmail.com", "Bagian setelah tanda @"),
        ("siti@gmail.123", "Bagian setelah tanda @"),
        ("a" * 250 + "@gmail.com", "Alamat email terlalu panjang (maksimal 254 karakter)."),
        ("a" * 65 + "@gmail.com", "Bagian sebelum tanda @"),
    ],
)
def test_invalid_email_says_how_to_fix_it(raw: str, message: str) -> None:
    with pytest.raises(FieldError) as info:
        normalize_email(raw)
    assert message in info.value.message
