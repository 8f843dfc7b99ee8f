"""Who may see and change an application or an operator task (app/domain/access.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.domain.access import (
    ApplicationScope,
    OperatorTask,
    can_change_application,
    can_see_application,
    can_see_task,
    home_path,
)
from app.domain.users import ROLES


@dataclass(frozen=True)
class Person:
    id: int
    role: str


A, B = Person(1, "officer"), Person(2, "officer")
OPERATOR, OTHER_OPERATOR = Person(3, "oss_operator"), Person(4, "oss_operator")
ADMIN = Person(5, "admin")

OPEN = OperatorTask(open=True, claimed_by=None, finished_by=None)
CLAIMED_BY_OTHER = OperatorTask(open=True, claimed_by=4, finished_by=None)
DONE_BY_OPERATOR = OperatorTask(open=False, claimed_by=3, finished_by=3)
DONE_BY_OTHER = OperatorTask(open=False, claimed_by=4, finished_by=4)


def test_an_officer_sees_and_changes_only_their_own() -> None:
    own = ApplicationScope(officer_id=A.id)
    assert can_see_application(A, own) and can_change_application(A, own)
    assert not can_see_application(B, own) and not can_change_application(B, own)
    # an operator task does not open it to other officers
    assert not can_see_application(B, ApplicationScope(A.id, (OPEN,)))
    assert not can_see_application(A, ApplicationScope(officer_id=None))


def test_the_team_of_a_round_covers_for_each_other() -> None:
    at_round = ApplicationScope(officer_id=A.id, round_team=frozenset({A.id, B.id}))
    assert can_see_application(B, at_round) and can_change_application(B, at_round)
    elsewhere = ApplicationScope(officer_id=A.id, round_team=frozenset({A.id}))
    assert not can_see_application(B, elsewhere)
    # the round's team opens nothing to other roles
    assert not can_see_application(OPERATOR, ApplicationScope(A.id, (), frozenset({3})))


@pytest.mark.parametrize(("tasks", "seen"), [
    ((), False),
    ((OPEN,), True),  # in every operator's queue
    ((CLAIMED_BY_OTHER,), True),  # still open: the claim may lapse
    ((DONE_BY_OPERATOR,), True),
    ((DONE_BY_OTHER,), False),
    ((DONE_BY_OTHER, DONE_BY_OPERATOR), True),
])
def test_an_operator_reads_the_applications_of_its_tasks(
        tasks: tuple[OperatorTask, ...], seen: bool) -> None:
    scope = ApplicationScope(A.id, tasks)
    assert can_see_application(OPERATOR, scope) is seen
    assert not can_change_application(OPERATOR, scope)  # read only
    if tasks:  # the last task decides here: the task page follows the same rule
        assert can_see_task(OPERATOR, tasks[-1]) is seen


def test_admins_see_and_change_everything_other_roles_nothing() -> None:
    scope = ApplicationScope(A.id, (OPEN,))
    assert can_see_application(ADMIN, scope) and can_change_application(ADMIN, scope)
    assert can_see_task(ADMIN, DONE_BY_OTHER)
    for role in ("mitra", "dpo"):
        person = Person(9, role)
        assert not can_see_application(person, ApplicationScope(9, (OPEN,)))
        assert not can_see_task(person, OPEN)
    assert not can_see_task(A, OPEN)  # the queue is not the field officer's


def test_every_role_has_a_start_page() -> None:
    starts = {role: home_path(role) for role in ROLES}
    assert starts == {"officer": "/petugas", "admin": "/petugas",
                      "oss_operator": "/petugas/oss-tugas", "mitra": "/mitra", "dpo": "/admin/pdp"}
