"""/people/: list people with their roles, add someone, change their roles, switch accounts off and on.

Accounts are never deleted: uploads, publications and commentary point at the people who made them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from indicators.signed_in import signed_in_user

from ..audit_log import log_event
from .accounts import check_may_manage, roles_of, set_roles
from .forms import NewPersonForm, PersonForm

VIEW_PEOPLE = "auth.view_user"
ADD_PERSON = "auth.add_user"
CHANGE_PERSON = "auth.change_user"


def people_with_groups() -> list[User]:
    """Everyone, active first, each with their groups: two queries however many people there are."""
    users = User.objects.only(
        "username", "first_name", "last_name", "email", "is_active", "is_superuser", "password", "last_login"
    ).prefetch_related(Prefetch("groups", queryset=Group.objects.only("name")))
    return list(users.order_by("-is_active", "username"))


@require_GET
@permission_required(VIEW_PEOPLE, raise_exception=True)
def person_list(request: HttpRequest) -> HttpResponse:
    rows = [(person, roles_of(person)) for person in people_with_groups()]
    return render(request, "people/list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@permission_required(ADD_PERSON, raise_exception=True)
def person_add(request: HttpRequest) -> HttpResponse:
    form = NewPersonForm(request.POST or None, acting_user=signed_in_user(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save()
            set_roles(person, form.cleaned_data["roles"])
        log_event(
            "user.created",
            request.user,
            about=person,
            roles=form.cleaned_data["roles"],
            local_password=person.has_usable_password(),
        )
        messages.success(request, f"{person.username} has been added.")
        return redirect("person-list")
    return render(request, "people/form.html", {"form": form, "person": None})


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE_PERSON, raise_exception=True)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    check_may_manage(signed_in_user(request), person)
    form = PersonForm(request.POST or None, instance=person, acting_user=signed_in_user(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            added, removed = set_roles(person, form.cleaned_data["roles"])
        if details := [name for name in form.changed_data if name != "roles"]:
            log_event("user.changed", request.user, about=person, changed=details)
        if added or removed:
            log_event("user.role_changed", request.user, about=person, roles_added=added, roles_removed=removed)
        messages.success(request, f"{person.username} has been updated.")
        return redirect("person-list")
    return render(request, "people/form.html", {"form": form, "person": person})


def _set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    check_may_manage(signed_in_user(request), person)
    if person.pk == request.user.pk and not active:
        messages.error(request, "You can't switch off your own account: ask another member of the MI team.")
        return redirect("person-edit", pk=person.pk)
    if person.is_active != active:
        person.is_active = active
        person.save(update_fields=["is_active"])
        # An inactive account's sessions stop working at once: the auth backends refuse inactive users.
        log_event("user.reactivated" if active else "user.deactivated", request.user, about=person)
    messages.success(request, f"{person.username} can {'now' if active else 'no longer'} sign in.")
    return redirect("person-list")


@require_POST
@permission_required(CHANGE_PERSON, raise_exception=True)
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@require_POST
@permission_required(CHANGE_PERSON, raise_exception=True)
def person_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)
