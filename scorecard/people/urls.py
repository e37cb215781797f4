"""/people/…: user management for the MI team."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("new/", views.person_add, name="person-add"),
    path("<int:pk>/", views.person_edit, name="person-edit"),
    path("<int:pk>/deactivate/", views.person_deactivate, name="person-deactivate"),
    path("<int:pk>/reactivate/", views.person_reactivate, name="person-reactivate"),
]
