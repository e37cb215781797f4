from django.contrib import admin

from .models import Benchmark, Indicator, Target


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["year", "applies_to", "unit", "target", "floor", "band_low", "band_high", "floor_band_low",
              "floor_band_high", "source"]


class BenchmarkInline(admin.TabularInline):
    model = Benchmark
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "table", "polarity", "data_period", "frequency", "reported_for", "qpr"]
    list_filter = ["section", "table", "polarity", "data_period", "reported_for", "qpr"]
    search_fields = ["code", "printed_code", "name"]
    inlines = [TargetInline, BenchmarkInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "year", "applies_to", "unit", "target", "floor", "band_low", "band_high"]
    list_filter = ["year", "applies_to"]
    search_fields = ["indicator__code", "indicator__name"]
    autocomplete_fields = ["indicator"]
