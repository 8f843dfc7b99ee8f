"""What handlers receive by name: registered once on the app (``create_app``), so a handler
asks for ``user: User`` or ``intake: IntakeService`` instead of fetching them by hand.

``user`` is the logged-in user; a handler that asks for it is answered 401 without one
(its guard has normally said so already).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide

from app.db.connection import Database
from app.db.users import User
from app.http_errors import user_error
from app.notify.service import NotifyService
from app.oss.desk import OperatorDesk
from app.oss.pages import OssPages
from app.oss.service import OssService
from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions
from app.security import Actor, actor_of, current_user
from app.services.accounts import Accounts
from app.services.complaints import ComplaintService
from app.services.container import Services
from app.services.exports import ExportJobs
from app.services.honorarium import HonorService
from app.services.intake import IntakeService
from app.services.invitations import InvitationService
from app.services.preregistrations import PreregistrationService
from app.services.public_forms import PublicFormLimits
from app.services.ratelimit import RateLimiter
from app.services.referrals import ReferralService
from app.services.rounds import RoundsService
from app.services.schedule import ScheduleService
from app.services.statistics import StatisticsService
from app.services.surveys import SurveyService
from app.settings import Settings


async def _services(request: Request[Any, Any, Any]) -> Services:
    return request.app.state.services


async def _user(request: Request[Any, Any, Any]) -> User:
    user = current_user(request)
    if user is None:
        raise user_error(401, "unauthenticated", "Silakan masuk terlebih dahulu.")
    return user


async def _actor(request: Request[Any, Any, Any]) -> Actor:
    return actor_of(request)


async def _accounts(services: Services) -> Accounts:
    return services.accounts


async def _settings(services: Services) -> Settings:
    return services.settings


async def _db(services: Services) -> Database:
    return services.db


async def _intake(services: Services) -> IntakeService:
    return services.intake


async def _regions(services: Services) -> Regions:
    return services.regions


async def _kbli(services: Services) -> KbliCatalog:
    return services.kbli


async def _status_limiter(services: Services) -> RateLimiter:
    return services.status_limiter


async def _code_limiter(services: Services) -> RateLimiter:
    return services.code_limiter


async def _subscribe_limiter(services: Services) -> RateLimiter:
    return services.subscribe_limiter


async def _notify(services: Services) -> NotifyService:
    return services.notify


async def _oss(services: Services) -> OssService:
    return services.oss


async def _oss_pages(services: Services) -> OssPages:
    return services.oss_pages


async def _oss_desk(services: Services) -> OperatorDesk:
    return services.oss_desk


async def _rounds(services: Services) -> RoundsService:
    return services.rounds


async def _honor(services: Services) -> HonorService:
    return services.honor


async def _invitations(services: Services) -> InvitationService:
    return services.invitations


async def _surveys(services: Services) -> SurveyService:
    return services.surveys


async def _complaints(services: Services) -> ComplaintService:
    return services.complaints


async def _form_limits(services: Services) -> PublicFormLimits:
    return services.form_limits


async def _preregistrations(services: Services) -> PreregistrationService:
    return services.preregistrations


async def _prereg_limits(services: Services) -> PublicFormLimits:
    return services.prereg_limits


async def _statistics(services: Services) -> StatisticsService:
    return services.statistics


async def _exports(services: Services) -> ExportJobs:
    return services.exports


async def _referrals(services: Services) -> ReferralService:
    return services.referrals


async def _schedule(services: Services) -> ScheduleService:
    return services.schedule


def dependencies() -> dict[str, Provide]:
    providers = {
        "services": _services, "user": _user, "actor": _actor, "accounts": _accounts,
        "settings": _settings, "db": _db,
        "intake": _intake, "regions": _regions, "kbli": _kbli, "notify": _notify,
        "oss": _oss, "oss_pages": _oss_pages, "oss_desk": _oss_desk,
        "status_limiter": _status_limiter, "code_limiter": _code_limiter,
        "subscribe_limiter": _subscribe_limiter,
        "rounds": _rounds, "honor": _honor, "invitations": _invitations,
        "surveys": _surveys, "complaints": _complaints, "form_limits": _form_limits,
        "statistics": _statistics, "exports": _exports, "referrals": _referrals,
        "schedule": _schedule,
        "preregistrations": _preregistrations, "prereg_limits": _prereg_limits,
    }
    return {name: Provide(fn) for name, fn in providers.items()}
