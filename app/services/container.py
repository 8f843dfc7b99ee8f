"""The app's long-lived parts, built once per app and shared by the controllers."""

from __future__ import annotations

from dataclasses import dataclass

from app.db.connection import Database
from app.domain.ratelimit import Rule
from app.domain.throttle import Policy
from app.notify.service import NotifyService
from app.oss.desk import OperatorDesk
from app.oss.forwarder import kbli_title
from app.oss.pages import OssPages
from app.oss.service import OssService
from app.pwa import AppShell, build_shell
from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions
from app.services.accounts import Accounts
from app.services.complaints import ComplaintService
from app.services.exports import ExportJobs
from app.services.honorarium import HonorService
from app.services.intake import IntakeService
from app.services.invitations import InvitationService
from app.services.limits import Limiter, StoredLimits
from app.services.preregistrations import PreregistrationService
from app.services.public_forms import PublicFormLimits
from app.services.ratelimit import RateLimiter
from app.services.referrals import ReferralService
from app.services.rounds import RoundsService
from app.services.schedule import ScheduleService
from app.services.statistics import StatisticsService
from app.services.surveys import SurveyService
from app.settings import Settings
from app.templating import asset_url_factory


@dataclass
class Services:
    settings: Settings
    db: Database
    accounts: Accounts
    intake: IntakeService
    kbli: KbliCatalog
    regions: Regions
    status_limiter: Limiter  # the status lookups (/cek, ...) per client, stored
    code_limiter: Limiter  # their wrong answers per code, stored
    subscribe_limiter: RateLimiter  # push subscribe calls per client, in memory
    oss: OssService
    oss_pages: OssPages
    oss_desk: OperatorDesk
    shell: AppShell
    notify: NotifyService
    rounds: RoundsService
    honor: HonorService
    invitations: InvitationService
    surveys: SurveyService
    complaints: ComplaintService
    form_limits: PublicFormLimits  # the public forms, per client per day
    preregistrations: PreregistrationService
    prereg_limits: PublicFormLimits  # /daftar-mandiri, per client per day
    statistics: StatisticsService
    exports: ExportJobs
    referrals: ReferralService
    schedule: ScheduleService

    @classmethod
    def build(cls, settings: Settings) -> Services:
        db = Database(settings.db_path)
        kbli = KbliCatalog.load()
        regions = Regions.load()
        intake = IntakeService(db, kbli, regions, settings.base_url, settings.writer_max_batch)
        title = kbli_title(kbli)
        oss = OssService(settings, db, title)
        intake.on_requeued = oss.wake
        secret = settings.resolved_secret_key()
        notify = NotifyService(settings, db, secret)
        rounds = RoundsService(db, regions, kbli, notify)
        limits = StoredLimits(db, secret)
        return cls(
            settings=settings,
            db=db,
            accounts=Accounts(
                db, settings.session_idle_s, settings.session_absolute_s,
                account_policy=_login_policy(settings, settings.login_account_failures),
                client_policy=_login_policy(settings, settings.login_client_failures),
                device_s=settings.device_credential_days * 86400.0,
            ),
            intake=intake,
            kbli=kbli,
            regions=regions,
            status_limiter=limits.limiter(Rule("lookup_client", settings.lookup_client_limit,
                                               settings.lookup_client_window_s)),
            code_limiter=limits.limiter(Rule("lookup_code", settings.lookup_code_failures,
                                             settings.lookup_code_window_s)),
            subscribe_limiter=RateLimiter(settings.push_subscribe_limit,
                                          settings.push_subscribe_window_s),
            oss=oss,
            oss_pages=OssPages(settings, db, title, regions, lambda: oss.forwarder is not None),
            oss_desk=OperatorDesk(settings, db, oss),
            shell=build_shell(
                settings.static_dir, settings.sw_dir, settings.templates_dir,
                asset_url_factory(settings.static_dir), settings.shell_salt,
            ),
            notify=notify,
            rounds=rounds,
            honor=HonorService(settings, db),
            invitations=InvitationService(db, rounds, limits),
            surveys=SurveyService(db, notify),
            complaints=ComplaintService(db, settings.public_form_phone_limit),
            form_limits=PublicFormLimits(limits, "form_client", settings.public_form_client_limit),
            preregistrations=PreregistrationService(db, kbli, regions,
                                                    settings.prereg_phone_limit),
            prereg_limits=PublicFormLimits(limits, "prereg_client",
                                           settings.prereg_client_limit),
            statistics=StatisticsService(db, regions),
            exports=ExportJobs(settings.db_path, settings.data_dir, regions),
            referrals=ReferralService(db, regions),
            schedule=ScheduleService(settings, db, regions),
        )


def _login_policy(settings: Settings, max_failures: int) -> Policy:
    return Policy(max_failures=max_failures, window_s=settings.login_window_s,
                  lock_base_s=settings.login_lock_base_s, lock_cap_s=settings.login_lock_cap_s,
                  forget_s=settings.login_forget_s)
