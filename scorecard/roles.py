"""The three roles, as Django groups with permissions. Views check permissions, not group names."""

from __future__ import annotations

from typing import Any

MI_TEAM = "MI team"
OFFICERS = "Officers"
MEMBERS = "Members"
SERVICE_LEADS = "Service leads"

# "app_label.codename" for each role. A superuser passes every check anyway.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    MI_TEAM: [
        "indicators.view_scorecard",
        "indicators.upload_measurements",
        "scorecard.view_published",
        "scorecard.publish_edition",
        "scorecard.write_commentary",
        "indicators.view_indicator",
        "indicators.add_indicator",
        "indicators.change_indicator",
        "indicators.view_target",
        "indicators.add_target",
        "indicators.change_target",
        "indicators.delete_target",
        "indicators.view_benchmark",
        "indicators.add_benchmark",
        "indicators.change_benchmark",
        "indicators.view_upload",
        # Scorecards and the indicators in them, in the admin (no delete_scorecard: the admin offers none).
        "indicators.add_scorecard",
        "indicators.change_scorecard",
        "indicators.view_scorecardmembership",
        "indicators.add_scorecardmembership",
        "indicators.change_scorecardmembership",
        "indicators.delete_scorecardmembership",
        "indicators.view_definitionchange",
        "indicators.view_auditevent",  # /audit/: the audit trail
        "districts.view_reportingunit",
        "districts.add_reportingunit",
        "districts.change_reportingunit",
        "districts.view_unitalias",
        "districts.add_unitalias",
        "districts.change_unitalias",
        "districts.delete_unitalias",
        # /people/: the MI team adds people and gives them roles (scorecard/people/).
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
    ],
    OFFICERS: [
        "indicators.view_scorecard",
        "scorecard.view_published",
        "scorecard.write_commentary",
    ],
    MEMBERS: [
        "scorecard.view_published",
    ],
    # A service lead signs the month's figures off before MI publish them. The MI team does not
    # approve its own figures: sign-off is a second pair of eyes (superusers pass anyway).
    SERVICE_LEADS: [
        "indicators.view_scorecard",
        "scorecard.view_published",
        "scorecard.approve_edition",
    ],
}


def sync_roles(**kwargs: Any) -> None:
    """Create the role groups and give each exactly its permissions (those that exist yet)."""
    from django.contrib.auth.models import Group, Permission

    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [tuple(name.split(".", 1)) for name in names]
        permissions = Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted}, codename__in={code for _, code in wanted}
        ).select_related("content_type")
        group.permissions.set([p for p in permissions if (p.content_type.app_label, p.codename) in wanted])
