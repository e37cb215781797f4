"""Every edition and commentary now names its scorecard (filled by 0007); an edition is one per scorecard and
month, a commentary one per scorecard, month, indicator (and unit)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("districts", "0001_initial"),
        ("indicators", "0011_upload_touched_at_notice"),
        ("scorecard", "0007_editions_belong_to_a_scorecard"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="commentary",
            name="one_commentary_per_indicator",
        ),
        migrations.RemoveConstraint(
            model_name="commentary",
            name="one_commentary_per_indicator_and_unit",
        ),
        migrations.AlterField(
            model_name="commentary",
            name="scorecard",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="commentary", to="indicators.scorecard"
            ),
        ),
        migrations.AlterField(
            model_name="edition",
            name="month",
            field=models.DateField(help_text="The first day of the edition month."),
        ),
        migrations.AlterField(
            model_name="edition",
            name="scorecard",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="editions", to="indicators.scorecard"
            ),
        ),
        migrations.AddConstraint(
            model_name="commentary",
            constraint=models.UniqueConstraint(
                condition=models.Q(("unit", None)),
                fields=("scorecard", "month", "indicator"),
                name="one_commentary_per_scorecard_indicator",
            ),
        ),
        migrations.AddConstraint(
            model_name="commentary",
            constraint=models.UniqueConstraint(
                condition=models.Q(("unit", None), _negated=True),
                fields=("scorecard", "month", "indicator", "unit"),
                name="one_commentary_per_scorecard_indicator_unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="edition",
            constraint=models.UniqueConstraint(fields=("scorecard", "month"), name="one_edition_per_scorecard_month"),
        ),
    ]
