"""Roles and accounts: the rules behind /people/, kept out of the views.

A role is one of the groups in scorecard/roles.py. People may also sit in other groups made
in the admin; changing someone's roles here never touches those.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..roles import MI_TEAM, ROLE_PERMISSIONS

# In the order roles.py lists them (MI team, Officers, Members).
ROLE_NAMES: list[str] = list(ROLE_PERMISSIONS)


def roles_of(user: User) -> list[str]:
    """The user's roles in roles.py order; uses prefetched groups when there are any."""
    names = {group.name for group in user.groups.all()}
    return [role for role in ROLE_NAMES if role in names]


@transaction.atomic
def set_roles(user: User, roles: Iterable[str]) -> tuple[list[str], list[str]]:
    """Give the user exactly these roles; returns (added, removed). Other groups stay as they are."""
    wanted = set(roles)
    unknown = wanted - set(ROLE_NAMES)
    if unknown:
        raise ValueError(f"not a role: {', '.join(sorted(unknown))}")
    current = set(roles_of(user))
    added = [role for role in ROLE_NAMES if role in wanted - current]
    removed = [role for role in ROLE_NAMES if role in current - wanted]
    if added:
        user.groups.add(*Group.objects.filter(name__in=added))
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=removed))
    # The MI team maintains definitions and targets in the admin, which needs is_staff; taking the role
    # away takes the admin away too (a superuser keeps it).
    staff = True if MI_TEAM in added else False if MI_TEAM in removed and not user.is_superuser else user.is_staff
    if staff != user.is_staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    return added, removed


def removes_own_mi_role(actor: User, target: User, old_roles: Iterable[str], new_roles: Iterable[str]) -> bool:
    """True when someone would take the MI team role off themselves (they would lose /people/)."""
    return actor.pk == target.pk and MI_TEAM in set(old_roles) and MI_TEAM not in set(new_roles)


def check_may_manage(actor: User, target: User) -> None:
    """Only a superuser may change a superuser's account: the MI team can't lock out the admins."""
    if target.is_superuser and not actor.is_superuser:
        raise PermissionDenied("Only a superuser can change a superuser's account.")


def username_taken(username: str, except_pk: int | None = None) -> bool:
    """Usernames are unique ignoring case: "JSmith" and "jsmith" would be two logins for one person."""
    same = User.objects.filter(username__iexact=username)
    return (same.exclude(pk=except_pk) if except_pk is not None else same).exists()


def email_taken(email: str, except_pk: int | None = None) -> bool:
    """Single sign-on finds people by email (ignoring case), so two accounts may not share one."""
    same = User.objects.filter(email__iexact=email)
    return (same.exclude(pk=except_pk) if except_pk is not None else same).exists()
