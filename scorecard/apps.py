from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ScorecardConfig(AppConfig):
    name = "scorecard"

    def ready(self) -> None:
        from .data_version import install_triggers
        from .roles import sync_roles
        from .static_storage import collectstatic_has_run  # noqa: F401 - registers the deploy check

        # Groups and their permissions follow roles.py after every migrate, so a new permission
        # reaches its role without a hand-written data migration. It runs after each app's
        # permissions are created (any sender), so the last run sees them all.
        post_migrate.connect(sync_roles, dispatch_uid="scorecard.sync_roles")
        # The data version's triggers, from the models as they are after this migrate (once: sender=self).
        post_migrate.connect(install_triggers, sender=self, dispatch_uid="scorecard.install_triggers")
