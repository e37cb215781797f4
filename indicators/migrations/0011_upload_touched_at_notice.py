"""Uploads with no dead ends: when an upload last moved on (to spot a lost task), and why an action failed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0010_definition_uploads"),
    ]

    operations = [
        migrations.AddField(
            model_name="upload",
            name="touched_at",
            field=models.DateTimeField(
                blank=True,
                help_text="The upload's last sign of progress (received, queued, or a step of its check). One left received or queued for longer than UPLOAD_STALE_SECONDS has lost its task and is offered again.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="upload",
            name="notice",
            field=models.CharField(
                blank=True,
                help_text="Why the last action did not go through (the task queue could not be reached), for the MI team.",
                max_length=500,
            ),
        ),
    ]
