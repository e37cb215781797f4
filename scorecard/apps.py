from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ScorecardConfig(AppConfig):
    name = "scorecard"

    def ready(self) -> None:
        from .roles import sync_roles

        # Groups and their permissions follow roles.py after every migrate, so a new
        # permission reaches its role without a hand-written data migration.
        post_migrate.connect(sync_roles, sender=self)
