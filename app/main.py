"""The app factory: ``create_app(settings) -> Litestar``. Nothing happens at import."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from app import templating
from app.db.connection import migrate_path
from app.routes.admin.ikm import AdminIkmController
from app.routes.admin.jadwal import AdminJadwalController
from app.routes.admin.libur import AdminLiburController
from app.routes.admin.mitra import AdminMitraController
from app.routes.admin.oss import AdminOssController
from app.routes.admin.pdp import PdpController
from app.routes.admin.pengguna import AdminAuditController, AdminUsersController
from app.routes.admin.pesan_whatsapp import PesanWhatsappController
from app.routes.admin.saran import AdminSaranController
from app.routes.admin.statistik import StatistikController
from app.routes.admin.undangan import AdminUndanganController
from app.routes.api.applications import ApplicationsApi
from app.routes.api.oss import PiaController
from app.routes.api.perangkat import PerangkatApi
from app.routes.api.praregistrasi import PraregistrasiApi
from app.routes.api.push import NotifyApi
from app.routes.api.push_kecamatan import KecamatanPushApi
from app.routes.api.survei import SurveiApi
from app.routes.auth import AuthController
from app.routes.citizen.cek import CitizenController
from app.routes.citizen.daftar_mandiri import DaftarMandiriController
from app.routes.citizen.ikm import IkmController
from app.routes.citizen.jadwal import JadwalController
from app.routes.citizen.saran import SaranController
from app.routes.citizen.statistik import PublicStatistikController
from app.routes.citizen.survei import SurveiController
from app.routes.citizen.syarat import SyaratController
from app.routes.citizen.undang import UndangController
from app.routes.deps import dependencies
from app.routes.errors import handle_exception
from app.routes.mitra.meja import MitraController
from app.routes.origin import UNSET_WARNING
from app.routes.petugas.hp import HpController
from app.routes.petugas.jadwal import JadwalPetugasController
from app.routes.petugas.oss_tugas import OssTugasController
from app.routes.petugas.permohonan import PermohonanController
from app.routes.petugas.ringkasan import RingkasanController
from app.routes.petugas.survei_kiosk import SurveiKioskController
from app.routes.pwa import PwaController
from app.routes.reference import ReferenceController, warm
from app.security import HeadersMiddleware, SessionMiddleware
from app.services.container import Services
from app.services.reminders import RoundReminders
from app.services.retention import RetentionJob
from app.settings import Settings

log = logging.getLogger("jbm")

# The JSON API has its own CSRF defence (app.security.same_origin_json). Litestar searches
# the path for these patterns anywhere, so they are anchored.
CSRF_EXCLUDE = ["^/api/"]


@get("/healthz", include_in_schema=False, cache_control=CacheControlHeader(no_store=True))
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    secret = settings.resolved_secret_key()
    services = Services.build(settings)
    retention = RetentionJob(settings, services.db)
    reminders = RoundReminders(settings, services.db, services.regions,
                               services.notify.notifier.wake)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if not settings.base_url_configured:
            log.warning(UNSET_WARNING)
        await asyncio.to_thread(migrate_path, settings.db_path)
        await services.db.open()
        services.intake.start()
        services.oss.start()  # the OSS forwarder (unless JBM_OSS_FORWARDER=0)
        services.notify.start()  # the push notifier (unless JBM_PUSH_NOTIFIER=0)
        retention.start()  # personal data past its period (unless JBM_RETENTION=off)
        reminders.start()  # the schedule's reminders (unless JBM_ROUND_REMINDERS=off)
        warming = asyncio.create_task(asyncio.to_thread(warm, services.kbli, services.regions))
        try:
            yield
        finally:
            await warming
            await reminders.stop()
            await retention.stop()
            await services.notify.stop()
            await services.oss.stop()
            await services.intake.stop()
            await services.db.close()

    def configure_templates(engine: JinjaTemplateEngine) -> None:
        templating.configure(engine.engine, settings.static_dir)
        engine.engine.globals["shell_version"] = services.shell.version

    app = Litestar(
        route_handlers=[
            healthz,
            CitizenController,
            JadwalController,
            AuthController,
            PermohonanController,
            HpController,
            RingkasanController,
            OssTugasController,
            PwaController,
            ReferenceController,
            ApplicationsApi,
            PerangkatApi,
            PiaController,
            AdminUsersController,
            AdminAuditController,
            NotifyApi,
            KecamatanPushApi,
            AdminOssController,
            PesanWhatsappController,
            PdpController,
            AdminJadwalController,
            AdminUndanganController,
            UndangController,
            JadwalPetugasController,
            SyaratController,
            SurveiController,
            IkmController,
            SaranController,
            AdminSaranController,
            AdminLiburController,
            AdminIkmController,
            SurveiKioskController,
            SurveiApi,
            StatistikController,
            PublicStatistikController,
            MitraController,
            AdminMitraController,
            DaftarMandiriController,
            PraregistrasiApi,
            create_static_files_router(
                path="/static",
                directories=[settings.static_dir],
                cache_control=CacheControlHeader(max_age=31536000, public=True),
                include_in_schema=False,
            ),
        ],
        dependencies=dependencies(),
        lifespan=[lifespan],
        middleware=[HeadersMiddleware(settings.https), SessionMiddleware()],
        template_config=TemplateConfig(
            directory=settings.templates_dir,
            engine=JinjaTemplateEngine,
            engine_callback=configure_templates,
        ),
        csrf_config=CSRFConfig(
            secret=secret,
            cookie_name=settings.csrf_cookie,
            header_name="x-csrf-token",
            cookie_secure=settings.https,
            cookie_samesite="lax",
            exclude=CSRF_EXCLUDE,
        ),
        compression_config=CompressionConfig(
            backend="brotli", brotli_gzip_fallback=True, minimum_size=512,
            # quality 4: a third of quality 5's CPU for a 30 KB batch answer, 0.2% larger
            brotli_quality=4,
            exclude_opt_key="skip_compression",
        ),
        request_max_body_size=settings.max_body_bytes,
        exception_handlers={Exception: handle_exception},
        debug=settings.debug,
        openapi_config=None,
    )
    app.state.services = services
    return app


def asgi_app() -> Any:
    """Entry point for ``uvicorn --factory app.main:asgi_app`` (settings from JBM_*)."""
    return create_app()
