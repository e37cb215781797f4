"""A published version keeps its scorecard's directorate, as it keeps its title, organisation and attribution: the
pack's cover prints it as published. Existing versions take their edition's scorecard's."""

from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_from_scorecards(apps: Any, schema_editor: Any) -> None:
    EditionVersion = apps.get_model("scorecard", "EditionVersion")
    Edition = apps.get_model("scorecard", "Edition")
    directorate = Edition.objects.filter(pk=OuterRef("edition_id")).values("scorecard__directorate")[:1]
    EditionVersion.objects.update(directorate=Subquery(directorate))


class Migration(migrations.Migration):
    dependencies = [
        ("scorecard", "0008_editions_per_scorecard_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="editionversion",
            name="directorate",
            field=models.CharField(
                blank=True,
                help_text="The directorate as printed on the pack's cover (the scorecard's).",
                max_length=200,
            ),
        ),
        migrations.RunPython(fill_from_scorecards, migrations.RunPython.noop),
    ]
