"""The officer pages' URLs (stable: people bookmark them; see DESIGN.md)."""

from django.urls import path

from scorecard import converters  # noqa: F401 - registers the yyyy-mm converter (a real month, or a 404)

from . import scorecard_list, views

urlpatterns = [
    path("scorecard/<slug:unit>/", views.scorecard_page, name="scorecard-latest"),
    path("scorecard/<slug:unit>/<yyyy-mm:month>/", views.scorecard_page, name="scorecard"),
    path("indicators/<str:code>/", views.indicator_page, name="indicator"),
    path("compare/", views.compare_page, name="compare-latest"),
    path("compare/<yyyy-mm:month>/", views.compare_page, name="compare"),
    path("scorecards/", scorecard_list.scorecard_list, name="scorecards"),
    # Each scorecard's own pages, mirroring today's (which show the default scorecard's), by the same views
    # (their <code>): before the download, whose <unit> would otherwise take "compare".
    path(
        "scorecards/<str:code>/scorecard/<slug:unit>/",
        views.scorecard_page,
        name="definition-scorecard-latest",
    ),
    path(
        "scorecards/<str:code>/scorecard/<slug:unit>/<yyyy-mm:month>/",
        views.scorecard_page,
        name="definition-scorecard",
    ),
    path("scorecards/<str:code>/compare/", views.compare_page, name="definition-compare-latest"),
    path("scorecards/<str:code>/compare/<yyyy-mm:month>/", views.compare_page, name="definition-compare"),
    path(
        "scorecards/<str:code>/<slug:unit>/<yyyy-mm:month>/",
        scorecard_list.scorecard_download,
        name="scorecard-download",
    ),
]
