from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import settings as hypothesis_settings

from tests.support import ServerProcess, officer_client

# No per-example deadline: a busy 2-core CI machine makes timing-based failures noise.
hypothesis_settings.register_profile("jbm", deadline=None)
hypothesis_settings.load_profile("jbm")


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
