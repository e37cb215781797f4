"""/editions/…: published editions for members, the committee pack, publishing and commentary.

``urlpatterns`` (under /editions/) mean the default scorecard; ``scorecard_urlpatterns`` (under
/scorecards/<scorecard_code>/editions/) mirror every one of them for any scorecard, named with the
``definition-`` prefix (scorecard/editions/links.py).
"""

from django.urls import URLPattern, path

from scorecard import converters  # noqa: F401 - registers edition_month (a real month, or a 404)

from . import views
from .links import PREFIX


def edition_patterns(prefix: str = "") -> list[URLPattern]:
    return [
        path("", views.edition_list, name=f"{prefix}editions"),
        path("publish/", views.publish_start, name=f"{prefix}edition-publish-start"),
        path("approve/", views.approve_start, name=f"{prefix}edition-approve-start"),
        path("<edition_month:month>/", views.edition_authority, name=f"{prefix}edition"),
        path("<edition_month:month>/pack/", views.pack, name=f"{prefix}edition-pack"),
        path("<edition_month:month>/pack.pdf", views.pack_pdf, name=f"{prefix}edition-pack-pdf"),
        path("<edition_month:month>/changes/", views.changes, name=f"{prefix}edition-changes"),
        path("<edition_month:month>/publish/", views.publish, name=f"{prefix}edition-publish"),
        path("<edition_month:month>/approve/", views.approve_month, name=f"{prefix}edition-approve"),
        path("<edition_month:month>/commentary/", views.commentary_list, name=f"{prefix}edition-commentary"),
        path(
            "<edition_month:month>/commentary/<str:code>/",
            views.commentary_edit,
            name=f"{prefix}edition-commentary-edit",
        ),
        path("<edition_month:month>/<slug:unit>/", views.edition_unit, name=f"{prefix}edition-unit"),
    ]


urlpatterns = edition_patterns()
# Included under scorecards/<str:scorecard_code>/editions/ (scorecard/urls.py), before the page URLs.
scorecard_urlpatterns = edition_patterns(PREFIX)
