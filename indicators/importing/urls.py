from django.urls import path

from indicators import mi_pages

from . import target_views, views

urlpatterns = [
    path("", views.upload_list, name="uploads"),
    path("new/", views.upload_new, name="upload-new"),
    path("<int:pk>/", views.upload_detail, name="upload-detail"),
    path("<int:pk>/file", views.upload_file, name="upload-file"),
    path("template/<str:layout>.<str:file_format>", views.upload_template, name="upload-template"),
]

urlpatterns += [
    # Targets in bulk (target_views.py).
    path("targets/", target_views.target_uploads, name="target-uploads"),
    path("targets/<int:pk>/", target_views.target_upload_detail, name="target-upload-detail"),
    path("targets/template.xlsx", target_views.target_template, name="target-template"),
    # The MI team's pages beside the uploads (indicators/mi_pages.py): they live under /uploads/ with them.
    path("targets/years/", mi_pages.target_grid, name="target-grid"),
    path("chasing/", mi_pages.chasing, name="chasing"),
    path("footnotes/", mi_pages.footnotes, name="footnotes"),
]

# Setting up scorecards from spreadsheets (indicators/importing/definition_views.py).
from . import definition_views  # noqa: E402

urlpatterns += [
    path("definitions/", definition_views.definition_uploads, name="definition-uploads"),
    path("definitions/<int:pk>/", definition_views.definition_upload_detail, name="definition-upload-detail"),
    path("definitions/history/", definition_views.definition_history, name="definition-history"),
]
