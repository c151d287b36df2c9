"""Shared pytest fixtures: users per role, departments, complaints.

Imports of Django code happen inside the fixtures so that pure-domain tests can also run with
``-p no:django``.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def org(db):
    """Departments (customer care, technical, billing, board) and one user per role."""
    from complaintdesk.complaints.tests.factories import make_org

    return make_org()


@pytest.fixture
def user_factory(db):
    from complaintdesk.complaints.tests.factories import UserFactory

    return UserFactory


@pytest.fixture
def department_factory(db):
    from complaintdesk.complaints.tests.factories import DepartmentFactory

    return DepartmentFactory


@pytest.fixture
def complaint_factory(db):
    from complaintdesk.complaints.tests.factories import ComplaintFactory

    return ComplaintFactory


def _reseed_if_flushed() -> None:
    """Put back the rows that data migrations seed (calendars, decisions, procedure presets,
    channel configs) when a transactional test earlier in this process flushed them."""
    from importlib import import_module

    from django.apps import apps

    if apps.get_model("sla", "Calendar").objects.exists():
        return
    for module in (
        "complaintdesk.sla.migrations.0002_builtin_calendars",
        "complaintdesk.procedures.migrations.0002_presets",
        "complaintdesk.intake.migrations.0002_seed_channel_config",
    ):
        import_module(module).seed(apps, None)


@pytest.fixture(autouse=True)
def _migration_seeded_rows(request):
    if "_django_db_helper" in request.fixturenames:
        request.getfixturevalue("_django_db_helper")
        _reseed_if_flushed()
    yield
