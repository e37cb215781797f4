from django.urls import path

from . import views

urlpatterns = [
    path("", views.upload_list, name="uploads"),
    path("new/", views.upload_new, name="upload-new"),
    path("<int:pk>/", views.upload_detail, name="upload-detail"),
    path("<int:pk>/file", views.upload_file, name="upload-file"),
    path("template/<str:layout>.<str:file_format>", views.upload_template, name="upload-template"),
]
