from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Its own app only so that its admin.py (which locks the admin's user pages down) is discovered."""

    name = "scorecard.people"
    label = "people"
    verbose_name = "People"
