"""The JSON API's CSRF exemption covers paths that start with /api/, nothing else (issue 9)."""

from __future__ import annotations

from litestar.middleware._utils import build_exclude_path_pattern

from app.main import CSRF_EXCLUDE


def test_only_paths_under_api_are_exempt() -> None:
    pattern = build_exclude_path_pattern(exclude=CSRF_EXCLUDE)
    assert pattern is not None
    assert pattern.findall("/api/applications") and pattern.findall("/api/push/warga")
    for path in ("/petugas/permohonan/api/perbaiki", "/admin/x/api/y", "/apix/", "/"):
        assert not pattern.findall(path), path
