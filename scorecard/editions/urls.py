"""/editions/…: published editions for members, the committee pack, publishing and commentary."""

from django.urls import path

from scorecard import converters  # noqa: F401 - registers edition_month (a real month, or a 404)

from . import views

urlpatterns = [
    path("", views.edition_list, name="editions"),
    path("publish/", views.publish_start, name="edition-publish-start"),
    path("approve/", views.approve_start, name="edition-approve-start"),
    path("<edition_month:month>/", views.edition_authority, name="edition"),
    path("<edition_month:month>/pack/", views.pack, name="edition-pack"),
    path("<edition_month:month>/pack.pdf", views.pack_pdf, name="edition-pack-pdf"),
    path("<edition_month:month>/changes/", views.changes, name="edition-changes"),
    path("<edition_month:month>/publish/", views.publish, name="edition-publish"),
    path("<edition_month:month>/approve/", views.approve_month, name="edition-approve"),
    path("<edition_month:month>/commentary/", views.commentary_list, name="edition-commentary"),
    path("<edition_month:month>/commentary/<str:code>/", views.commentary_edit, name="edition-commentary-edit"),
    path("<edition_month:month>/<slug:unit>/", views.edition_unit, name="edition-unit"),
]
