"""Published editions of the scorecard and the commentary written for them.

An *edition* is the scorecard as at a month. Publishing it freezes what members
see into an :class:`EditionVersion` (a JSON snapshot of every row), so later
uploads never change a published edition; republishing adds a new version, and
every version stays readable.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from districts.models import ReportingUnit
from indicators.analysis.periods import Period, PeriodKind
from indicators.models import Indicator
from indicators.models import Scorecard as ScorecardDefinition


class Edition(models.Model):
    """One scorecard as at one month (stored as the month's first day).

    Each scorecard has its own editions, sign-off and versions: two scorecards published as at the same
    month are two editions.
    """

    scorecard = models.ForeignKey(ScorecardDefinition, on_delete=models.PROTECT, related_name="editions")
    month = models.DateField(help_text="The first day of the edition month.")
    # Sign-off: a service lead approves the figures as they stand; publishing checks that they still do.
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="A hash of every figure the approval covered (see scorecard/editions/approval.py).",
    )

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "month"], name="one_edition_per_scorecard_month")]
        permissions = [
            ("view_published", "Can read published editions"),
            ("publish_edition", "Can publish an edition"),
            ("write_commentary", "Can write commentary"),
            ("approve_edition", "Can approve (sign off) an edition's figures before publication"),
        ]

    def __str__(self) -> str:
        return self.period.label

    @property
    def period(self) -> Period:
        return Period(self.month, PeriodKind.MONTH)

    @property
    def iso(self) -> str:
        return self.period.iso

    @property
    def title(self) -> str:
        """``October 2024``."""
        return self.month.strftime("%B %Y")

    @property
    def label(self) -> str:
        """``October 2024``, or for a quarterly scorecard ``as at December 2023`` (reads the scorecard)."""
        return edition_label(self.month, self.scorecard.cadence)


def edition_label(month: date, cadence: str) -> str:
    """How an edition is named on its pages and pack: ``October 2024``; a quarterly scorecard's says it is
    the scorecard as at its quarter's last month (``as at December 2023``)."""
    words = month.strftime("%B %Y")
    return f"as at {words}" if cadence == ScorecardDefinition.Cadence.QUARTERLY else words


class EditionVersionQuerySet(models.QuerySet["EditionVersion"]):
    def visible_to_members(self, now: datetime | None = None) -> EditionVersionQuerySet:
        """The versions members may read at ``now`` (default: this moment): those whose embargo has passed."""
        return self.filter(models.Q(visible_from__isnull=True) | models.Q(visible_from__lte=now or timezone.now()))

    def of_scorecard(
        self, scorecard: ScorecardDefinition | None = None, code: str | None = None
    ) -> EditionVersionQuerySet:
        """The versions of one scorecard's editions: given, or by its code, else the default scorecard's (no query)."""
        if scorecard is not None:
            return self.filter(edition__scorecard=scorecard)
        if code is not None:
            return self.filter(edition__scorecard__code=code)
        return self.filter(edition__scorecard__is_default=True)

    def version_of(
        self,
        as_at: Period,
        number: int | None = None,
        *,
        scorecard: ScorecardDefinition | None = None,
        code: str | None = None,
        include_embargoed: bool = False,
        now: datetime | None = None,
        snapshot: bool = True,
    ) -> EditionVersion | None:
        """A given version of a scorecard's edition as at a month (the latest when ``number`` is None), with its
        edition and scorecard. One query.

        The scorecard is ``scorecard``, or the one coded ``code``, else the default one.
        ``snapshot=False`` defers the snapshot (read by a second query when first used).

        Members get only versions out of embargo at ``now``; ``include_embargoed`` is for officers and
        the MI team, who see an embargoed version marked as such.
        """
        versions: EditionVersionQuerySet = (
            self.of_scorecard(scorecard, code).filter(edition__month=as_at.start).select_related("edition__scorecard")
        )
        if not snapshot:
            versions = versions.defer("snapshot")
        if not include_embargoed:
            versions = versions.visible_to_members(now)
        if number is not None:
            versions = versions.filter(number=number)
        return versions.order_by("-number").first()


class EditionVersion(models.Model):
    """One publication of an edition: the frozen rows, as members see them."""

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    visible_from = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Embargo: members see this version only from then (blank: from its publication).",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suppression_threshold = models.PositiveIntegerField(
        help_text="Counts, numerators and denominators below this were shown as [c]."
    )
    snapshot = models.JSONField(
        help_text="The edition as published (see scorecard/editions/snapshot.py), but for its units' rows: those are "
        "in EditionUnit, one record a unit, so a page reads only the units it shows."
    )
    # The committee pack's look, chosen at publication and kept, so the pack can be laid out again identically.
    paper = models.CharField(
        max_length=2,
        choices=[("A4", "A4 landscape"), ("A3", "A3 landscape")],
        default="A4",
        help_text="The committee pack's paper size.",
    )
    title = models.CharField(max_length=200, blank=True, help_text="The scorecard's title, as printed on the pack.")
    organisation = models.CharField(
        max_length=200,
        blank=True,
        help_text="The organisation's name as printed on the pack's cover and running header (the scorecard's).",
    )
    attribution = models.CharField(
        max_length=500, blank=True, help_text="Where the figures come from (the pack's cover)."
    )
    directorate = models.CharField(
        max_length=200, blank=True, help_text="The directorate as printed on the pack's cover (the scorecard's)."
    )

    objects = EditionVersionQuerySet.as_manager()

    class Meta:
        ordering = ["edition", "-number"]
        constraints = [models.UniqueConstraint(fields=["edition", "number"], name="one_version_number_per_edition")]

    def __str__(self) -> str:
        return f"{self.edition} version {self.number}"

    @cached_property
    def units(self) -> list[dict[str, Any]]:
        """Every unit as published, in the edition's order (one query, all their rows)."""
        return [unit.data for unit in self.unit_rows.order_by("position")]

    def unit(self, slug: str | None = None) -> dict[str, Any] | None:
        """One unit as published, by slug; the authority when no slug is given (one query)."""
        units = self.unit_rows.filter(kind="authority") if slug is None else self.unit_rows.filter(slug=slug)
        return units.order_by("position").values_list("data", flat=True).first()

    def document(self) -> dict[str, Any]:
        """The whole snapshot as frozen (scorecard/editions/snapshot.py's shape), units and all."""
        return {**self.snapshot, "units": self.units}

    def store_units(self, units: list[dict[str, Any]]) -> None:
        """Keep the snapshot's units, one EditionUnit each (at publication, with the version)."""
        EditionUnit.objects.bulk_create(
            EditionUnit(
                version=self,
                position=position,
                unit_id=unit["id"],
                slug=unit["slug"],
                kind=unit["kind"],
                name=unit["name"],
                has_data=unit["has_data"],
                data=unit,
            )
            for position, unit in enumerate(units)
        )

    @property
    def shown_from(self) -> datetime:
        """When members first see this version: its embargo, or its publication."""
        return self.visible_from or self.published_at

    def is_embargoed(self, now: datetime | None = None) -> bool:
        return self.shown_from > (now or timezone.now())


class PackStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    MAKING = "making", "being laid out"
    READY = "ready", "ready"
    FAILED = "failed", "failed"


class EditionPack(models.Model):
    """A version's committee pack: the PDF laid out once, by the worker, and never changed after.

    Apart from the version so that lists of versions never load the bytes.
    """

    version = models.OneToOneField(EditionVersion, on_delete=models.CASCADE, related_name="pack")
    status = models.CharField(max_length=10, choices=PackStatus.choices, default=PackStatus.QUEUED)
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(null=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, help_text="The SHA-256 of the stored PDF (hex).")
    size = models.PositiveIntegerField(null=True, blank=True, help_text="The PDF's size in bytes.")
    error = models.TextField(blank=True, help_text="Why the last attempt failed.")

    def __str__(self) -> str:
        return f"{self.version} pack ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == PackStatus.READY


class EditionUnit(models.Model):
    """One unit's scorecard in a published version: the snapshot's ``units[i]``, as frozen.

    Stored apart from the rest of the snapshot so that a member's unit page, and an officer page
    marking provisional figures, read one unit's rows, not every unit's (megabytes at a region's size).
    """

    version = models.ForeignKey(EditionVersion, on_delete=models.CASCADE, related_name="unit_rows")
    position = models.PositiveIntegerField(help_text="The unit's place in the edition (the authority first).")
    # The unit's id when published: a plain number, so the record outlives the unit.
    unit_id = models.BigIntegerField()
    slug = models.SlugField(max_length=120)
    kind = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    has_data = models.BooleanField()
    data = models.JSONField(help_text="The unit as published: id, name, slug, kind, has_data, teams and rows.")

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="one_unit_per_position")]
        indexes = [
            models.Index(fields=["version", "unit_id"], name="edition_unit_by_id"),
            models.Index(fields=["version", "slug"], name="edition_unit_by_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.name}"


class CommentaryQuerySet(models.QuerySet["Commentary"]):
    def for_month(self, month: date, scorecard: ScorecardDefinition) -> CommentaryQuerySet:
        """The commentary written for one scorecard's edition as at the month."""
        return self.filter(month=month, scorecard=scorecard)


class Commentary(models.Model):
    """What officers or the MI team say about an indicator in one scorecard's edition (for the authority, or for
    one unit)."""

    scorecard = models.ForeignKey(ScorecardDefinition, on_delete=models.CASCADE, related_name="commentary")
    month = models.DateField(help_text="The first day of the edition month.")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="commentary")
    unit = models.ForeignKey(
        ReportingUnit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="commentary",
        help_text="Blank: the indicator as a whole (the authority). Set for one district's commentary.",
    )
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommentaryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "commentary"
        ordering = ["month", "indicator__display_order", "unit__display_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "month", "indicator"],
                condition=models.Q(unit=None),
                name="one_commentary_per_scorecard_indicator",
            ),
            models.UniqueConstraint(
                fields=["scorecard", "month", "indicator", "unit"],
                condition=~models.Q(unit=None),
                name="one_commentary_per_scorecard_indicator_unit",
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.unit})" if self.unit_id else ""
        return f"{self.indicator_id} {self.month:%b-%y}{where}"


class DataVersion(models.Model):
    """One row whose number moves on every write to a table the scorecard pages read.

    Database triggers move it (scorecard/data_version.py), so every write path counts: the ORM,
    the admin, the upload's COPY and raw SQL. The page cache (scorecard/page_cache.py) keys on it.
    """

    number = models.BigIntegerField(default=0)
    changed_at = models.CharField(max_length=40, blank=True, help_text="When the number last moved (database clock).")

    def __str__(self) -> str:
        return f"data version {self.number}"
