from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import audit_page, views
from .editions.urls import scorecard_urlpatterns as scorecard_edition_urls
from .throttle import ThrottledLoginView

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("uploads/", include("indicators.importing.urls")),
    path("editions/", include("scorecard.editions.urls")),
    path("people/", include("scorecard.people.urls")),
    path("audit/", audit_page.audit_list, name="audit"),
    # Each scorecard's editions: before the page URLs, whose /scorecards/<code>/<unit>/<month>/ would take them.
    path("scorecards/<str:scorecard_code>/editions/", include(scorecard_edition_urls)),
    path("", include("scorecard.pages.urls")),
]

# Single sign-on (scorecard/sso.py) only when it is switched on: otherwise its URLs don't exist.
if settings.OIDC_ENABLED:
    from .sso import oidc_urlpatterns

    urlpatterns.append(path("oidc/", include(oidc_urlpatterns())))

# Refusals are logged (audit) before the 403 page is shown.
handler403 = "scorecard.errors.permission_denied"
