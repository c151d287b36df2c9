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
