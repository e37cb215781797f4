from django.urls import path

from . import views

urlpatterns = [
    path("", views.upload_list, name="uploads"),
    path("new/", views.upload_new, name="upload-new"),
    path("<int:pk>/", views.upload_detail, name="upload-detail"),
    path("<int:pk>/file", views.upload_file, name="upload-file"),
    path("template/<str:layout>.<str:file_format>", views.upload_template, name="upload-template"),
]

# MI administration (indicators/importing/admin_views.py): targets in bulk, the year grid, chasing, footnotes.
from . import admin_views  # noqa: E402

urlpatterns += [
    path("targets/", admin_views.target_uploads, name="target-uploads"),
    path("targets/<int:pk>/", admin_views.target_upload_detail, name="target-upload-detail"),
    path("targets/template.xlsx", admin_views.target_template, name="target-template"),
    path("targets/years/", admin_views.target_grid, name="target-grid"),
    path("chasing/", admin_views.chasing, name="chasing"),
    path("footnotes/", admin_views.footnotes, name="footnotes"),
]

# Setting up scorecards from spreadsheets (indicators/importing/definition_views.py).
from . import definition_views  # noqa: E402

urlpatterns += [
    path("definitions/", definition_views.definition_uploads, name="definition-uploads"),
    path("definitions/<int:pk>/", definition_views.definition_upload_detail, name="definition-upload-detail"),
]
