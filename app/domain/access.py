"""Who may see and change what (rules only, no I/O).

Roles are single-valued (``users.role``, labels in app/domain/users.py). Each role gets what
its work needs; an admin may do everything:

- officer: the field pages (/petugas), their OWN applications and those taken at a round
  they are assigned to (the team at the car covers for each other), the JSON intake API;
- oss_operator: the operator queue (/petugas/oss-tugas) and, read only, the applications of
  the tasks it may work on (an open task, or one it claimed or closed);
- dpo: the data-subject request desk (/admin/pdp);
- mitra: its agency's desk (/mitra): the referrals to that one agency (users.agency_id),
  never an application's staff pages.

The guards in app/security.py enforce the areas; the application routes ask
``can_see_application`` and ``can_change_application`` for one application.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

OFFICER = "officer"
ADMIN = "admin"
OSS_OPERATOR = "oss_operator"
MITRA = "mitra"
DPO = "dpo"


class Person(Protocol):
    """A logged-in user as the rules need them (app.db.users.User is one)."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> str: ...


@dataclass(frozen=True, slots=True)
class OperatorTask:
    """An OSS operator task (assisted mode), as access needs it."""

    open: bool
    claimed_by: int | None
    finished_by: int | None

    def concerns(self, user_id: int) -> bool:
        """An open task is in every operator's queue; a closed one only concerns its own."""
        return self.open or user_id in (self.claimed_by, self.finished_by)


@dataclass(frozen=True, slots=True)
class ApplicationScope:
    """What access to one application depends on (app/db/access.py reads it)."""

    officer_id: int | None  # who captured it
    operator_tasks: tuple[OperatorTask, ...] = ()
    round_team: frozenset[int] = frozenset()  # officers assigned to the round it was taken at


def can_see_application(user: Person, app: ApplicationScope) -> bool:
    """May ``user`` open this application's pages (its full NIK among them)? An officer:
    their own, or one taken at a round they are assigned to."""
    if user.role == ADMIN:
        return True
    if user.role == OFFICER:
        return app.officer_id == user.id or user.id in app.round_team
    if user.role == OSS_OPERATOR:
        return any(task.concerns(user.id) for task in app.operator_tasks)
    return False


def can_change_application(user: Person, app: ApplicationScope) -> bool:
    """May ``user`` act on it (mark the WhatsApp hand-off, correct and resend)? The officers
    who see it and admins; an operator only reads."""
    return user.role in (OFFICER, ADMIN) and can_see_application(user, app)


def can_see_task(user: Person, task: OperatorTask) -> bool:
    """May ``user`` open this operator task's page (it shows the full NIK)?"""
    return user.role == ADMIN or (user.role == OSS_OPERATOR and task.concerns(user.id))


def can_see_referral(user: Person, user_agency_id: int | None, referral_agency_id: int
                     ) -> bool:
    """May ``user`` (a mitra of ``user_agency_id``) open this referral on the agency desk?
    Only its own agency's; admins every one. Others answer 404 like an unknown one."""
    if user.role == ADMIN:
        return True
    return user.role == MITRA and user_agency_id == referral_agency_id


def home_path(role: str) -> str:
    """Where a user of this role starts after logging in."""
    if role in (OFFICER, ADMIN):
        return "/petugas"
    if role == OSS_OPERATOR:
        return "/petugas/oss-tugas"
    if role == DPO:
        return "/admin/pdp"
    if role == MITRA:
        return "/mitra"
    return "/akun"
