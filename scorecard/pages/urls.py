"""The officer pages' URLs (stable: people bookmark them; see DESIGN.md)."""

from django.urls import path, register_converter

from . import scorecard_list, views


class MonthConverter:
    """A month as yyyy-mm (whether it has data is the view's question)."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MonthConverter, "yyyy-mm")

urlpatterns = [
    path("scorecard/<slug:unit>/", views.scorecard_page, name="scorecard-latest"),
    path("scorecard/<slug:unit>/<yyyy-mm:month>/", views.scorecard_page, name="scorecard"),
    path("indicators/<str:code>/", views.indicator_page, name="indicator"),
    path("compare/", views.compare_page, name="compare-latest"),
    path("compare/<yyyy-mm:month>/", views.compare_page, name="compare"),
    path("scorecards/", scorecard_list.scorecard_list, name="scorecards"),
    path("scorecards/<str:code>/<slug:unit>/<yyyy-mm:month>/", scorecard_list.scorecard_download,
         name="scorecard-download"),
]
