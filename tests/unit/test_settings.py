"""Settings from JBM_* variables: every field's default is written once, on the field, and
each variable is read by its field's type."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from app.settings import Settings


def test_no_variables_give_the_field_defaults_and_the_local_address() -> None:
    settings = Settings.from_env({})
    for f in fields(Settings):
        if f.name not in ("base_url", "base_url_configured"):
            assert getattr(settings, f.name) == f.default, f.name
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.base_url_configured is False


def test_each_type_is_read_and_checked() -> None:
    settings = Settings.from_env({
        "JBM_PORT": "9000", "JBM_HOST": "0.0.0.0", "JBM_OSS_MODE": " Assisted ",
        "JBM_RETENTION": "off", "JBM_DEBUG": "1", "JBM_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8",
        "JBM_OSS_PIA_USERNAME": "dpmptsp", "JBM_OSS_URL": "http://127.0.0.1:8001/v1/",
        "JBM_PUSH_TTL_S": "5", "JBM_HONOR_EVENING_RATE": "", "JBM_DATABASE_PATH": "",
        "JBM_DATA_DIR": "/srv/jbm", "JBM_PUSH_ALLOWED_HOSTS": "FCM.googleapis.com,*.x.org",
        "JBM_OSS_RATE_PER_S": "2.5",
    })
    assert (settings.port, settings.host, settings.base_url) == (9000, "0.0.0.0",
                                                                 "http://0.0.0.0:9000")
    assert settings.oss_mode == "assisted" and settings.retention_job is False
    assert settings.debug is True and settings.oss_rate_per_s == 2.5
    assert settings.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8")
    assert settings.pia_username == "dpmptsp"
    assert settings.oss_url == "http://127.0.0.1:8001/v1"
    assert settings.push_ttl_s == 24 * 3600  # never below a day: phones are offline for long
    assert settings.honor_evening_rate is None and settings.database_path is None
    assert settings.data_dir == Path("/srv/jbm")
    assert settings.push_allowed_hosts == ("fcm.googleapis.com", "*.x.org")


def test_a_configured_public_address_wins_and_is_marked() -> None:
    settings = Settings.from_env({"JBM_BASE_URL": "https://jbm.blitarkab.go.id/"})
    assert settings.base_url == "https://jbm.blitarkab.go.id"
    assert settings.base_url_configured is True and settings.https is True


@pytest.mark.parametrize(("name", "value"), [
    ("JBM_OSS_MODE", "satelit"), ("JBM_PORT", "delapan"), ("JBM_FORWARDED_HEADER", "via"),
])
def test_a_wrong_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})


def test_the_app_files_are_not_settings() -> None:
    settings = Settings.from_env({"JBM_TEMPLATES_DIR": "/tmp/elsewhere"})
    assert settings.templates_dir.name == "web"
