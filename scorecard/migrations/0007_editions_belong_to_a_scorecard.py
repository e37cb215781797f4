"""Editions and commentary belong to a scorecard (issue 13): each scorecard has its own editions, sign-off and
commentary. Existing rows go to the default scorecard; a database with editions or commentary but no scorecard
gets a default one made from what its data has (as indicators' 0009 makes it: every indicator, where it sits).
Published versions also keep the organisation printed on their pack (the scorecard's, from now on).

The fields are made required in the next migration (PostgreSQL will not alter a table with the updates below
still pending in the same transaction).
"""

import django.db.models.deletion
from django.db import migrations, models

DEFAULT_CODE = "MAIN"


def default_scorecard(apps):  # type: ignore[no-untyped-def]
    """The default scorecard, else the first one, else one made from the data (every indicator, as it sits)."""
    Scorecard = apps.get_model("indicators", "Scorecard")
    scorecard = Scorecard.objects.filter(is_default=True).first() or Scorecard.objects.order_by("code").first()
    if scorecard is not None:
        return scorecard
    Indicator = apps.get_model("indicators", "Indicator")
    Membership = apps.get_model("indicators", "ScorecardMembership")
    ReportingUnit = apps.get_model("districts", "ReportingUnit")
    authority = ReportingUnit.objects.filter(kind="authority").order_by("display_order", "pk").first()
    scorecard = Scorecard.objects.create(
        code=DEFAULT_CODE,
        title="Scorecard",
        organisation=authority.name if authority else "",
        cadence="monthly",
        is_default=True,
    )
    Membership.objects.bulk_create(
        Membership(scorecard=scorecard, indicator=i, section=i.section, table=i.table, order=i.display_order)
        for i in Indicator.objects.order_by("display_order", "code")
    )
    return scorecard


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Edition = apps.get_model("scorecard", "Edition")
    Commentary = apps.get_model("scorecard", "Commentary")
    EditionVersion = apps.get_model("scorecard", "EditionVersion")
    if not (Edition.objects.exists() or Commentary.objects.exists()):
        return
    scorecard = default_scorecard(apps)
    Edition.objects.filter(scorecard=None).update(scorecard=scorecard)
    Commentary.objects.filter(scorecard=None).update(scorecard=scorecard)
    EditionVersion.objects.filter(organisation="").update(organisation=scorecard.organisation)


class Migration(migrations.Migration):
    dependencies = [
        ("districts", "0001_initial"),
        ("indicators", "0011_upload_touched_at_notice"),
        ("scorecard", "0006_commentary_unit_help_text_names_no_council"),
    ]

    operations = [
        migrations.AddField(
            model_name="edition",
            name="scorecard",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="editions",
                to="indicators.scorecard",
            ),
        ),
        migrations.AddField(
            model_name="commentary",
            name="scorecard",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="commentary",
                to="indicators.scorecard",
            ),
        ),
        migrations.AddField(
            model_name="editionversion",
            name="organisation",
            field=models.CharField(
                blank=True,
                help_text="The organisation's name as printed on the pack's cover and running header (the "
                "scorecard's).",
                max_length=200,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
