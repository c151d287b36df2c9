"""Shared pytest fixtures: users per role, departments, complaints."""

from __future__ import annotations

import pytest

from complaintdesk.complaints.tests.factories import (
    ComplaintFactory,
    DepartmentFactory,
    UserFactory,
    make_org,
)


@pytest.fixture
def org(db):
    """Departments (customer care, technical, billing, board) and one user per role."""
    return make_org()


@pytest.fixture
def user_factory(db):
    return UserFactory


@pytest.fixture
def department_factory(db):
    return DepartmentFactory


@pytest.fixture
def complaint_factory(db):
    return ComplaintFactory
