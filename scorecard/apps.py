from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ScorecardConfig(AppConfig):
    name = "scorecard"

    def ready(self) -> None:
        from .roles import sync_roles

        # Groups and their permissions follow roles.py after every migrate, so a new permission
        # reaches its role without a hand-written data migration. It runs after each app's
        # permissions are created (any sender), so the last run sees them all.
        post_migrate.connect(sync_roles, dispatch_uid="scorecard.sync_roles")
