from django.contrib import admin

from .models import ReportingUnit, UnitAlias


class AliasInline(admin.TabularInline[UnitAlias, ReportingUnit]):
    model = UnitAlias
    extra = 0


@admin.register(ReportingUnit)
class ReportingUnitAdmin(admin.ModelAdmin[ReportingUnit]):
    list_display = ["name", "kind", "area", "service", "gss_code"]
    list_filter = ["kind", "service", "area"]
    search_fields = ["name", "gss_code", "aliases__alias"]
    filter_horizontal = ["districts_served"]
    inlines = [AliasInline]
