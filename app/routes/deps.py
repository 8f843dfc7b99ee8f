"""What handlers receive by name: registered once on the app (``create_app``), so a handler
asks for ``user: UserDep`` or ``intake: IntakeServiceDep`` instead of fetching them by hand.

``user`` is the logged-in user; a handler that asks for it is answered 401 without one
(its guard has normally said so already).
"""

from __future__ import annotations

from typing import Any, TypeAlias

from litestar import Request
from litestar.di import NamedDependency, Provide

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
from app.services.limits import Limiter
from app.services.preregistrations import PreregistrationService
from app.services.public_forms import PublicFormLimits
from app.services.ratelimit import RateLimiter
from app.services.referrals import ReferralService
from app.services.rounds import RoundsService
from app.services.schedule import ScheduleService
from app.services.statistics import StatisticsService
from app.services.surveys import SurveyService
from app.settings import Settings

# How a handler (or a provider below) asks for one of them: ``db: DatabaseDep`` is the ``db``
# dependency, injected by the parameter's name. Litestar 3 injects only parameters marked so.
AccountsDep: TypeAlias = NamedDependency[Accounts]
ActorDep: TypeAlias = NamedDependency[Actor]
ComplaintServiceDep: TypeAlias = NamedDependency[ComplaintService]
DatabaseDep: TypeAlias = NamedDependency[Database]
ExportJobsDep: TypeAlias = NamedDependency[ExportJobs]
HonorServiceDep: TypeAlias = NamedDependency[HonorService]
IntakeServiceDep: TypeAlias = NamedDependency[IntakeService]
InvitationServiceDep: TypeAlias = NamedDependency[InvitationService]
KbliCatalogDep: TypeAlias = NamedDependency[KbliCatalog]
LimiterDep: TypeAlias = NamedDependency[Limiter]
NotifyServiceDep: TypeAlias = NamedDependency[NotifyService]
OperatorDeskDep: TypeAlias = NamedDependency[OperatorDesk]
OssPagesDep: TypeAlias = NamedDependency[OssPages]
OssServiceDep: TypeAlias = NamedDependency[OssService]
PreregistrationServiceDep: TypeAlias = NamedDependency[PreregistrationService]
PublicFormLimitsDep: TypeAlias = NamedDependency[PublicFormLimits]
RateLimiterDep: TypeAlias = NamedDependency[RateLimiter]
ReferralServiceDep: TypeAlias = NamedDependency[ReferralService]
RegionsDep: TypeAlias = NamedDependency[Regions]
RoundsServiceDep: TypeAlias = NamedDependency[RoundsService]
ScheduleServiceDep: TypeAlias = NamedDependency[ScheduleService]
ServicesDep: TypeAlias = NamedDependency[Services]
SettingsDep: TypeAlias = NamedDependency[Settings]
StatisticsServiceDep: TypeAlias = NamedDependency[StatisticsService]
SurveyServiceDep: TypeAlias = NamedDependency[SurveyService]
UserDep: TypeAlias = NamedDependency[User]


async def _services(request: Request[Any, Any, Any]) -> Services:
    return request.app.state.services


async def _user(request: Request[Any, Any, Any]) -> User:
    user = current_user(request)
    if user is None:
        raise user_error(401, "unauthenticated", "Silakan masuk terlebih dahulu.")
    return user


async def _actor(request: Request[Any, Any, Any]) -> Actor:
    return actor_of(request)


async def _accounts(services: ServicesDep) -> Accounts:
    return services.accounts


async def _settings(services: ServicesDep) -> Settings:
    return services.settings


async def _db(services: ServicesDep) -> Database:
    return services.db


async def _intake(services: ServicesDep) -> IntakeService:
    return services.intake


async def _regions(services: ServicesDep) -> Regions:
    return services.regions


async def _kbli(services: ServicesDep) -> KbliCatalog:
    return services.kbli


async def _status_limiter(services: ServicesDep) -> Limiter:
    return services.status_limiter


async def _code_limiter(services: ServicesDep) -> Limiter:
    return services.code_limiter


async def _subscribe_limiter(services: ServicesDep) -> RateLimiter:
    return services.subscribe_limiter


async def _notify(services: ServicesDep) -> NotifyService:
    return services.notify


async def _oss(services: ServicesDep) -> OssService:
    return services.oss


async def _oss_pages(services: ServicesDep) -> OssPages:
    return services.oss_pages


async def _oss_desk(services: ServicesDep) -> OperatorDesk:
    return services.oss_desk


async def _rounds(services: ServicesDep) -> RoundsService:
    return services.rounds


async def _honor(services: ServicesDep) -> HonorService:
    return services.honor


async def _invitations(services: ServicesDep) -> InvitationService:
    return services.invitations


async def _surveys(services: ServicesDep) -> SurveyService:
    return services.surveys


async def _complaints(services: ServicesDep) -> ComplaintService:
    return services.complaints


async def _form_limits(services: ServicesDep) -> PublicFormLimits:
    return services.form_limits


async def _preregistrations(services: ServicesDep) -> PreregistrationService:
    return services.preregistrations


async def _prereg_limits(services: ServicesDep) -> PublicFormLimits:
    return services.prereg_limits


async def _statistics(services: ServicesDep) -> StatisticsService:
    return services.statistics


async def _exports(services: ServicesDep) -> ExportJobs:
    return services.exports


async def _referrals(services: ServicesDep) -> ReferralService:
    return services.referrals


async def _schedule(services: ServicesDep) -> ScheduleService:
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
