"""Fixtures for the MI administration pages: a service lead, and every role by name."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from scorecard.roles import SERVICE_LEADS


@pytest.fixture
def service_lead(db: None) -> User:
    user = User.objects.create_user(username="lead", password="pw-for-tests")
    user.groups.add(Group.objects.get(name=SERVICE_LEADS))
    return user


@pytest.fixture
def users(mi_user: User, officer: User, member: User, service_lead: User) -> dict[str, User]:
    return {"mi": mi_user, "officer": officer, "member": member, "lead": service_lead}
