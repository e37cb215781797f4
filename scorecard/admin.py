"""Admin for editions: versions are read-only (a published edition never changes); commentary is editable."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Commentary, Edition, EditionVersion


class EditionVersionInline(admin.TabularInline):
    model = EditionVersion
    fields = ("number", "published_at", "published_by", "suppression_threshold")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "month")
    inlines = [EditionVersionInline]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Commentary)
class CommentaryAdmin(admin.ModelAdmin):
    list_display = ("indicator", "month", "unit", "author", "updated_at")
    list_filter = ("month",)
    search_fields = ("indicator__code", "text")
    raw_id_fields = ("indicator", "unit")
    readonly_fields = ("author", "updated_at")
