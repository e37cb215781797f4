from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from scorecard.roles import MEMBERS, MI_TEAM, OFFICERS, SERVICE_LEADS

# Documented in the README; for a laptop demo only, so refused when DEBUG is off.
DEMO_USERS = {
    "mi": (MI_TEAM, "mi-demo-password"),
    "officer": (OFFICERS, "officer-demo-password"),
    "member": (MEMBERS, "member-demo-password"),
    "lead": (SERVICE_LEADS, "lead-demo-password"),
}


class Command(BaseCommand):
    help = "Create one demo user per role (mi, officer, member, lead). Refused when DEBUG is off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("refusing to create demo users with known passwords: DEBUG is off")
        for username, (role, password) in DEMO_USERS.items():
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            user.is_staff = role == MI_TEAM  # the MI team maintains definitions in the admin
            user.save(update_fields=["is_staff"])
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"{'created' if created else 'kept'} {username} ({role})")
