"""The MI set-up page: upload definition files, see every problem or the preview, confirm; roles and methods."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import DefinitionChange, DefinitionUpload, Indicator, Scorecard
from tests.importing.test_definitions import INDICATOR, good_set

URL = "/uploads/definitions/"
pytestmark = pytest.mark.django_db


def files_of(folder: Path) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv") for path in sorted(folder.iterdir())
    ]


def test_the_mi_team_checks_previews_and_confirms(mi_user, client_for, tmp_path: Path) -> None:
    client = client_for(mi_user)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"files": files_of(good_set(tmp_path / "defs")), "reason": "new council"})
    upload = DefinitionUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}{upload.pk}/"
    page = client.get(f"{URL}{upload.pk}/").content.decode()
    assert "indicator CT1: added" in page and "Confirm and apply these changes" in page
    assert not Indicator.objects.exists()  # the preview changed nothing

    assert client.post(f"{URL}{upload.pk}/", {"action": "confirm"}).status_code == 302
    upload.refresh_from_db()
    assert upload.state == DefinitionUpload.State.COMMITTED and upload.committed_by == mi_user
    assert Scorecard.objects.get(is_default=True).code == "PERF" and Indicator.objects.count() == 2
    assert set(DefinitionChange.objects.values_list("reason", flat=True)) == {"new council"}
    changes = DefinitionChange.objects.count()
    client.post(f"{URL}{upload.pk}/", {"action": "confirm"})  # a second confirm does nothing more
    assert DefinitionChange.objects.count() == changes


def test_files_with_errors_show_them_and_cannot_be_confirmed(mi_user, client_for, tmp_path: Path) -> None:
    client = client_for(mi_user)
    folder = good_set(tmp_path / "bad", indicators=[{**INDICATOR, "polarity": "X"}])
    client.post(URL, {"files": files_of(folder), "reason": "typo"})
    upload = DefinitionUpload.objects.get()
    page = client.get(f"{URL}{upload.pk}/").content.decode()
    assert upload.state == DefinitionUpload.State.INVALID
    assert "indicators.csv" in page and "polarity" in page and "&#x27;X&#x27; is not a polarity" in page
    assert "Confirm and apply" not in page
    client.post(f"{URL}{upload.pk}/", {"action": "confirm"})
    assert not Indicator.objects.exists()


def test_a_reason_is_required(mi_user, client_for, tmp_path: Path) -> None:
    response = client_for(mi_user).post(URL, {"files": files_of(good_set(tmp_path / "defs")), "reason": ""})
    assert response.status_code == 400 and not DefinitionUpload.objects.exists()


@pytest.mark.parametrize("role", ["officer", "member"])
def test_officers_and_members_are_refused(role, request, client_for) -> None:
    client = client_for(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {}).status_code == 403


def test_anonymous_users_log_in_and_wrong_methods_are_refused(client, mi_user, client_for) -> None:
    assert client.get(URL)["Location"].startswith("/accounts/login/")
    mi = client_for(mi_user)
    assert mi.put(URL).status_code == 405
    assert mi.delete(f"{URL}1/").status_code == 405
