"""The upload pages: who may use them, wrong methods, fixed query counts, templates, status page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from districts.models import ReportingUnit
from indicators.importing.preview import check_upload
from indicators.models import Indicator, Upload

pytestmark = pytest.mark.django_db

GOOD = b"indicator,area,period,value,numerator,denominator,status\nAPP17,Sevenoaks,Oct-24,55.0,,,\n"


def make_upload(user, state: str = Upload.State.PREVIEWED, **fields) -> Upload:  # type: ignore[no-untyped-def]
    return Upload.objects.create(filename="values.csv", content=GOOD, size=len(GOOD), uploaded_by=user, state=state,
                                 counts={"new": 1, "changed": 0, "unchanged": 0}, **fields)


def pages(upload: Upload) -> list[str]:
    return [reverse("uploads"), reverse("upload-new"), reverse("upload-detail", args=[upload.pk]),
            reverse("upload-file", args=[upload.pk]), reverse("upload-template", args=["long", "csv"])]


def test_the_mi_team_reaches_every_upload_page(demo, mi_user, client_for) -> None:
    upload = make_upload(mi_user)
    client = client_for(mi_user)
    for url in pages(upload):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["officer", "member"])
def test_officers_and_members_are_refused(demo, mi_user, client_for, request, role: str) -> None:
    upload = make_upload(mi_user)
    client = client_for(request.getfixturevalue(role))
    for url in pages(upload):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("upload-new"), {"file": SimpleUploadedFile("v.csv", GOOD)}).status_code == 403
    assert client.post(reverse("upload-detail", args=[upload.pk]), {"action": "confirm"}).status_code == 403
    upload.refresh_from_db()
    assert upload.state == Upload.State.PREVIEWED


def test_anonymous_users_go_to_the_login_page(demo, mi_user, client) -> None:
    for url in pages(make_upload(mi_user)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


def test_wrong_methods_are_405(demo, mi_user, client_for) -> None:
    upload = make_upload(mi_user)
    client = client_for(mi_user)
    assert client.post(reverse("uploads")).status_code == 405
    assert client.put(reverse("upload-new")).status_code == 405
    assert client.delete(reverse("upload-detail", args=[upload.pk])).status_code == 405
    assert client.post(reverse("upload-file", args=[upload.pk])).status_code == 405
    assert client.post(reverse("upload-template", args=["wide", "xlsx"])).status_code == 405


def test_the_history_page_runs_in_a_fixed_number_of_queries(demo, mi_user, client_for,
                                                            django_assert_num_queries) -> None:
    client = client_for(mi_user)
    make_upload(mi_user)
    client.get(reverse("uploads"))  # warm the session
    # session, user, the user's and the group's permissions, the count, the page of uploads, and the
    # indicators and targets for the coming year's missing-targets warning, and the names in the title and
    # footer (the default scorecard, scorecard/names.py)
    with django_assert_num_queries(9) as first:
        response = client.get(reverse("uploads"))
    assert "values.csv" in response.content.decode()
    for state in (Upload.State.COMMITTED, Upload.State.INVALID, Upload.State.RUNNING, Upload.State.FAILED):
        make_upload(mi_user, state=state, errors=[{"sheet": "s", "row": 2, "column": "value", "message": "bad"}])
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("uploads"))
    # the five made here, and the demo's own (load_demo loads its values through the upload)
    assert response.content.decode().count('download>download</a>') == Upload.objects.count() == 6


def test_the_status_page_runs_in_a_fixed_number_of_queries(demo, mi_user, client_for,
                                                           django_assert_num_queries) -> None:
    client = client_for(mi_user)
    small = make_upload(mi_user)
    client.get(reverse("upload-detail", args=[small.pk]))
    with django_assert_num_queries(6) as first:  # 5, and the names in the title and footer (scorecard/names.py)
        client.get(reverse("upload-detail", args=[small.pk]))
    many_changes = [{"indicator": "APP17", "area": "Dover", "period": f"p{i}", "old": "1", "new": "2"}
                    for i in range(300)]
    big = make_upload(mi_user, preview={"changes": many_changes},
                      warnings=[{"sheet": "", "row": None, "column": "", "message": "check"}] * 50)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("upload-detail", args=[big.pk]))
    assert response.content.decode().count("→ 2") == 300


def test_the_status_page_shows_the_stage_and_refreshes_itself_while_running(demo, mi_user, client_for) -> None:
    upload = make_upload(mi_user, state=Upload.State.RUNNING, stage="writing", started_at=timezone.now())
    page = client_for(mi_user).get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert 'js/refresh.js' in page and "writing…" in page and "Run again" not in page


def test_a_stuck_upload_is_shown_with_a_run_again_action(demo, mi_user, client_for, settings) -> None:
    started = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    upload = make_upload(mi_user, state=Upload.State.RUNNING, stage="writing", started_at=started)
    client = client_for(mi_user)
    page = client.get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert "Stuck" in page and "Run again" in page and 'js/refresh.js' not in page
    assert "Stuck" in client.get(reverse("uploads")).content.decode()


def test_an_unknown_action_is_refused(demo, mi_user, client_for) -> None:
    upload = make_upload(mi_user)
    assert client_for(mi_user).post(reverse("upload-detail", args=[upload.pk]), {"action": "explode"}).status_code == 400


def test_the_uploaded_file_downloads_as_it_came(demo, mi_user, client_for) -> None:
    upload = make_upload(mi_user)
    response = client_for(mi_user).get(reverse("upload-file", args=[upload.pk]))
    assert response.content == GOOD and 'filename="values.csv"' in response["Content-Disposition"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_templates_name_every_indicator_and_unit_and_read_back(demo, mi_user, client_for, layout: str,
                                                               file_format: str) -> None:
    response = client_for(mi_user).get(reverse("upload-template", args=[layout, file_format]))
    assert response.status_code == 200
    report = check_upload(f"template.{file_format}", response.content)
    if layout == "long":  # every row waits for its value
        assert report.layout == layout
        assert report.errors and all("blank" in e.message for e in report.errors)
        assert len(report.errors) == report.rows
    else:  # a wide template's empty cells give nothing
        assert [e.message for e in report.errors] == ["The file has a header but no values."]
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        codes, areas = {r[0] for r in rows[1:]}, {r[1] for r in rows[1:]}
        assert codes == set(Indicator.objects.values_list("code", flat=True))
        assert areas == set(ReportingUnit.objects.holding_values().values_list("name", flat=True))


def test_templates_take_a_fixed_number_of_queries(demo, mi_user, client_for, django_assert_num_queries) -> None:
    client = client_for(mi_user)
    url = reverse("upload-template", args=["wide", "xlsx"])
    client.get(url)
    with django_assert_num_queries(7) as first:  # session, user, permissions (2), edition month, units, indicators
        client.get(url)
    Indicator.objects.create(code="NEW1", name="A new one", section="s", table="t", polarity="H", data_period="MS",
                             frequency="monthly", reported_for="district", unit="percent")
    ReportingUnit.objects.create(name="New District", kind="district")
    with django_assert_num_queries(len(first.captured_queries)):
        assert b"NEW1" in client.get(reverse("upload-template", args=["long", "csv"])).content


def test_an_unknown_template_is_404(demo, mi_user, client_for) -> None:
    assert client_for(mi_user).get(reverse("upload-template", args=["tall", "csv"])).status_code == 404


def test_uploading_shows_the_preview_and_changes_nothing_until_confirmed(demo, mi_user, client_for) -> None:
    client = client_for(mi_user)
    response = client.post(reverse("upload-new"), {"file": SimpleUploadedFile("v.csv", GOOD)}, follow=True)
    page = response.content.decode()
    assert "Ready to confirm" in page and "Confirm and load these values" in page
    assert not ReportingUnit.objects.get(name="Sevenoaks").measurements.exists()
