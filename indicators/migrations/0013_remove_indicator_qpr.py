"""The ``qpr`` flag goes: membership of the scorecard coded QPR says it now.

0009 turned the ticks of the time into memberships, but the indicator admin could still tick the flag
afterwards without making a membership. Such a tick is carried over here (with a line in the definition
history saying why), unless the history shows the indicator was taken out of the QPR after it was last
ticked: that removal was the MI team's choice, and the stale flag must not undo it. An install without a
QPR scorecard has nothing to join: its ticks are dropped with the column.

Undoing it puts the column back and ticks every member of the QPR scorecard.
"""

from django.db import migrations
from django.utils import timezone

QPR_CODE = "QPR"
REASON = "Carried over from the QPR tick on the indicator, which membership of the QPR scorecard replaces"


def taken_out_after_ticking(changes):  # type: ignore[no-untyped-def]
    """Whether the indicator's history (oldest first) ends with the QPR membership removed rather than ticked."""
    taken_out = False
    for change in changes:
        if change.what == f"in scorecard {QPR_CODE}" and change.changes.get("scorecard") == [QPR_CODE, ""]:
            taken_out = True
        elif change.what == "definition" and (change.changes.get("qpr") or ["", ""])[1] == "yes":
            taken_out = False
    return taken_out


def carry_over_ticks(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("indicators", "Indicator")
    Scorecard = apps.get_model("indicators", "Scorecard")
    Membership = apps.get_model("indicators", "ScorecardMembership")
    DefinitionChange = apps.get_model("indicators", "DefinitionChange")
    qpr = Scorecard.objects.filter(code=QPR_CODE).first()
    if qpr is None:
        return
    ticked = list(Indicator.objects.filter(qpr=True).exclude(memberships__scorecard=qpr).order_by("pk"))
    history: dict[int, list] = {indicator.pk: [] for indicator in ticked}  # type: ignore[type-arg]
    for change in DefinitionChange.objects.filter(indicator__in=ticked).order_by("at", "pk"):
        history[change.indicator_id].append(change)
    now = timezone.now()
    for indicator in ticked:
        if taken_out_after_ticking(history[indicator.pk]):
            continue
        Membership.objects.create(
            scorecard=qpr,
            indicator=indicator,
            section=indicator.section,
            table=indicator.table,
            order=indicator.display_order,
        )
        DefinitionChange.objects.create(
            indicator=indicator,
            scorecard=qpr,
            what=f"in scorecard {QPR_CODE}",
            changes={
                "scorecard": ["", QPR_CODE],
                "section": ["", indicator.section],
                "table": ["", indicator.table],
                "order": ["", str(indicator.display_order)],
            },
            reason=REASON,
            at=now,
        )


def tick_members(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(memberships__scorecard__code=QPR_CODE).update(qpr=True)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0012_definition_history_for_scorecards_and_units"),
    ]

    operations = [
        migrations.RunPython(carry_over_ticks, tick_members),
        migrations.RemoveField(model_name="indicator", name="qpr"),
    ]
