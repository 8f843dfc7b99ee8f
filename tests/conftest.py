from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import settings as hypothesis_settings

from tests.support import ADMIN, OSS_MODE, OSS_MODES, ServerProcess, client, login, officer_client

# No per-example deadline: a busy 2-core CI machine makes timing-based failures noise.
hypothesis_settings.register_profile("jbm", deadline=None)
hypothesis_settings.load_profile("jbm")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "oss_mode(mode, reason): runs only in that OSS mode's pass (JBM_TEST_OSS_MODE)",
    )


def pytest_report_header() -> str:
    return f"OSS mode of the test servers: {OSS_MODE} (JBM_TEST_OSS_MODE)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test marked for the other OSS mode is skipped, saying why and where it runs."""
    for item in items:
        marker = item.get_closest_marker("oss_mode")
        if marker is None:
            continue
        mode = marker.args[0]
        assert mode in OSS_MODES, f"{item.nodeid}: unknown OSS mode {mode!r}"
        reason = marker.kwargs.get("reason")
        assert reason, f"{item.nodeid}: oss_mode needs a reason"
        if mode != OSS_MODE:
            item.add_marker(pytest.mark.skip(
                reason=f"{mode} mode only ({reason}); runs with JBM_TEST_OSS_MODE={mode}"))


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server process (uvicorn, SQLite file) shared by the integration tests."""
    proc = ServerProcess(tmp_path_factory.mktemp("server"))
    proc.seed()
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of its own, for tests that stop, kill or count everything."""
    proc = ServerProcess(tmp_path / "data")
    proc.seed()
    proc.start()
    yield proc
    proc.kill()


@pytest.fixture
def officer(server: ServerProcess) -> Iterator[httpx.Client]:
    http = officer_client(server.url)
    yield http
    http.close()


@pytest.fixture
def admin(server: ServerProcess) -> Iterator[httpx.Client]:
    """The demo admin logged in on the shared server."""
    http = client(server.url)
    assert login(http, *ADMIN).status_code == 303
    yield http
    http.close()
