"""Geography: the reporting units a scorecard is about, and the other names people use for them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.text import slugify


class UnitKind(models.TextChoices):
    AUTHORITY = "authority", "Authority"
    AREA = "area", "Area"
    DISTRICT = "district", "District"
    TEAM = "team", "Team"


class TeamService(models.TextChoices):
    """The service a team belongs to; an indicator reported by teams names one of these."""

    SOCIAL_WORK = "cswt", "Children's Social Work Team"
    EARLY_HELP = "ehu", "Early Help Unit"


class ReportingUnitQuerySet(models.QuerySet["ReportingUnit"]):
    def authority(self) -> ReportingUnit | None:
        """The authority (one query); None before the geography is loaded."""
        return self.filter(kind=UnitKind.AUTHORITY).first()

    def districts(self) -> ReportingUnitQuerySet:
        return self.filter(kind=UnitKind.DISTRICT)

    def teams(self) -> ReportingUnitQuerySet:
        return self.filter(kind=UnitKind.TEAM)

    def with_scorecards(self) -> ReportingUnitQuerySet:
        """The authority and the districts: the units that have a scorecard page."""
        return self.filter(kind__in=(UnitKind.AUTHORITY, UnitKind.DISTRICT))

    def holding_values(self) -> ReportingUnitQuerySet:
        """Areas group districts and hold no values of their own."""
        return self.exclude(kind=UnitKind.AREA)


class ReportingUnit(models.Model):
    """The authority (the council itself), an area (a group of districts), a district or a team."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=UnitKind.choices)
    gss_code = models.CharField("ONS (GSS) code", max_length=9, blank=True)
    area = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="area_districts",
        limit_choices_to={"kind": UnitKind.AREA},
        help_text="The area a district belongs to.",
    )
    service = models.CharField(max_length=4, choices=TeamService.choices, blank=True, help_text="Teams only.")
    districts_served = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="serving_teams",
        limit_choices_to={"kind": UnitKind.DISTRICT},
        help_text="Teams only: a team may serve two districts, and a district may have two teams.",
    )
    display_order = models.PositiveIntegerField(default=0)

    objects = ReportingUnitQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["gss_code"], condition=~models.Q(gss_code=""), name="unique_gss_code"),
            models.UniqueConstraint(fields=["kind"], condition=models.Q(kind="authority"), name="one_authority"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.slug = slugify(self.name)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        self.slug = slugify(self.name)  # derived, so validation sees the slug that will be saved
        super().clean_fields(exclude)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == UnitKind.TEAM and not self.service:
            errors["service"] = "A team must name its service (social work or early help)."
        if self.kind != UnitKind.TEAM and self.service:
            errors["service"] = "Only teams belong to a service."
        if self.kind != UnitKind.DISTRICT and self.area_id:
            errors["area"] = "Only districts belong to an area."
        if self.gss_code and self.kind in (UnitKind.TEAM, UnitKind.AREA):
            errors["gss_code"] = "Teams and areas have no ONS code."
        if errors:
            raise ValidationError(errors)

    @property
    def is_authority(self) -> bool:
        return self.kind == UnitKind.AUTHORITY

    @property
    def holds_values(self) -> bool:
        return self.kind != UnitKind.AREA


class UnitAlias(models.Model):
    """Another name for a unit, as spreadsheets spell it (``Gravesend`` is Gravesham)."""

    alias = models.CharField(max_length=120)
    unit = models.ForeignKey(ReportingUnit, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name_plural = "unit aliases"
        constraints = [models.UniqueConstraint(Lower("alias"), name="unique_alias_ignoring_case")]

    def __str__(self) -> str:
        return f"{self.alias} → {self.unit}"
