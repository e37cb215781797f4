"""Date the benchmarks stored before they had one (read from their labels), then make the date required.

Its own migration, so the data update and the table change run in separate transactions (PostgreSQL).
"""

from django.db import migrations, models


def date_existing_benchmarks(apps, schema_editor):
    """Benchmarks stored before they had a date: read it from the label (the start of 2000 if it names none)."""
    from datetime import date

    from indicators.analysis.benchmarks import BenchmarkDateError, benchmark_as_at

    Benchmark = apps.get_model("indicators", "Benchmark")
    for benchmark in Benchmark.objects.select_related("indicator"):
        try:
            benchmark.as_at = benchmark_as_at(benchmark.label, benchmark.indicator.frequency)
        except BenchmarkDateError:
            benchmark.as_at = date(2000, 1, 1)
        benchmark.save(update_fields=["as_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_mi_administration"),
    ]

    operations = [
        migrations.RunPython(date_existing_benchmarks, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="benchmark",
            name="as_at",
            field=models.DateField(
                help_text="The date the figure refers to (the start of the year for a yearly figure). An edition shows the latest benchmark dated on or before its month's end."
            ),
        ),
    ]
