"""After an upload commits, its page says so once and links to the scorecards it changed (issue 12)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Upload

pytestmark = pytest.mark.django_db

# A new value for Sevenoaks (it has none) and a changed one for Dover: two scorecards change.
FILE = (
    b"indicator,area,period,value,numerator,denominator,status\n"
    b"APP17,Sevenoaks,Oct-24,55.0,,,\nAPP17,Dover,Oct-24,12.5,,,\n"
)


def test_a_committed_upload_says_so_once_and_links_to_the_changed_scorecards(
    demo, mi_user, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(mi_user)
    client.post(reverse("upload-new"), {"file": SimpleUploadedFile("v.csv", FILE)})
    upload = Upload.objects.latest("pk")
    assert {unit["name"] for unit in upload.preview["units"]} == {"Sevenoaks", "Dover"}
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, run when the request commits
        client.post(reverse("upload-detail", args=[upload.pk]), {"action": "confirm"})
    html = client.get(reverse("upload-detail", args=[upload.pk])).content.decode()
    upload.refresh_from_db()
    assert upload.state == Upload.State.COMMITTED  # tasks run eagerly in the tests
    assert "being loaded" not in html and html.count("Committed") == 1
    assert "Scorecards this upload changed" in html
    assert f'href="{reverse("scorecard-latest", args=["sevenoaks"])}"' in html
    assert f'href="{reverse("scorecard-latest", args=["dover"])}"' in html
    assert f'href="{reverse("scorecard-latest", args=["kent"])}"' not in html.split("Scorecards this upload changed")[1]


def test_a_previewed_upload_lists_no_scorecards_yet(demo, mi_user, client_for) -> None:
    client = client_for(mi_user)
    client.post(reverse("upload-new"), {"file": SimpleUploadedFile("v.csv", FILE)})
    html = client.get(reverse("upload-detail", args=[Upload.objects.latest("pk").pk])).content.decode()
    assert "Scorecards this upload changed" not in html
