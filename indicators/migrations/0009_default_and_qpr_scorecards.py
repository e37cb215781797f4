"""An install that already has indicators gets its default scorecard (every indicator, where it sits today),
and the ``qpr`` ticks become membership of a quarterly scorecard coded QPR that judges direction by trend.

A fresh database has no indicators, so nothing is made: its scorecards come from import_definitions.
The names are placeholders the MI team renames through import_definitions (the organisation is the
authority's reporting unit).
"""

from django.db import migrations

DEFAULT_CODE = "MAIN"
QPR_CODE = "QPR"


def make_scorecards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("indicators", "Indicator")
    Scorecard = apps.get_model("indicators", "Scorecard")
    Membership = apps.get_model("indicators", "ScorecardMembership")
    ReportingUnit = apps.get_model("districts", "ReportingUnit")
    indicators = list(Indicator.objects.order_by("display_order", "code"))
    if not indicators or Scorecard.objects.exists():
        return
    authority = ReportingUnit.objects.filter(kind="authority").first()
    organisation = authority.name if authority else ""
    default = Scorecard.objects.create(
        code=DEFAULT_CODE, title="Scorecard", organisation=organisation, cadence="monthly", is_default=True
    )
    Membership.objects.bulk_create(
        Membership(scorecard=default, indicator=i, section=i.section, table=i.table, order=i.display_order)
        for i in indicators
    )
    ticked = [i for i in indicators if i.qpr]
    if ticked:
        qpr = Scorecard.objects.create(
            code=QPR_CODE,
            title="Quarterly Performance Report",
            organisation=organisation,
            cadence="quarterly",
            direction="trend",
        )
        Membership.objects.bulk_create(
            Membership(scorecard=qpr, indicator=i, section=i.section, table=i.table, order=i.display_order)
            for i in ticked
        )


def remove_scorecards(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("indicators", "Scorecard").objects.filter(code__in=[DEFAULT_CODE, QPR_CODE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0008_scorecards_and_rating_rules"),
        ("districts", "0001_initial"),
    ]

    operations = [migrations.RunPython(make_scorecards, remove_scorecards)]
