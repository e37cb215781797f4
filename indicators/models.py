"""Indicators, their targets and benchmarks, and the measured values with their revisions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from districts.models import ReportingUnit, TeamService, UnitKind

from .analysis.direction import ComparesWith
from .analysis.periods import Frequency, Period, PeriodKind, add_months, year_label
from .analysis.rag import Polarity, TargetError, TargetSpec, check_target
from .analysis.rating import RatingRule, Rule, RuleError, ToleranceKind, check_rule

# The audit trail's model lives with its record() function (indicators/audit_trail.py); imported here so
# Django finds it.
from .audit_trail import AuditEvent  # noqa: F401


class Digits(TypedDict):
    """A DecimalField's size, typed so that ``**VALUE_DIGITS`` type-checks as DecimalField's own arguments."""

    max_digits: int
    decimal_places: int


VALUE_DIGITS: Digits = {"max_digits": 20, "decimal_places": 6}


class DataPeriod(models.TextChoices):
    MONTHLY_SNAPSHOT = "MS", "Monthly snapshot"
    ROLLING_12_MONTHS = "R12M", "Rolling 12 months"
    YEAR_TO_DATE = "YTD", "Year to date"
    QUARTERLY = "Q", "Quarterly"
    TERMLY = "T", "Termly"
    ANNUAL = "A", "Annual"


class ReportedFor(models.TextChoices):
    """Below the authority (which always has a value), who reports the indicator."""

    AUTHORITY = "authority", "Authority only"
    DISTRICT = "district", "Districts"
    SOCIAL_WORK_TEAMS = TeamService.SOCIAL_WORK.value, "Social work teams (CSWT)"
    EARLY_HELP_UNITS = TeamService.EARLY_HELP.value, "Early help units (EHU)"


# How each level reads in a sentence ("SCS03 is reported for social work teams (CSWT), not for Dover") and
# in a printed table's title ("ICS Monthly — social work teams").
LEVEL_WORDS: dict[str, str] = {
    ReportedFor.AUTHORITY: "the authority only",
    ReportedFor.DISTRICT: "districts",
    ReportedFor.SOCIAL_WORK_TEAMS: "social work teams (CSWT)",
    ReportedFor.EARLY_HELP_UNITS: "early help units (EHU)",
}
LEVEL_TITLES: dict[str, str] = {
    ReportedFor.AUTHORITY: "authority only",
    ReportedFor.DISTRICT: "districts",
    ReportedFor.SOCIAL_WORK_TEAMS: "social work teams",
    ReportedFor.EARLY_HELP_UNITS: "early help units",
}


class Indicator(models.Model):
    code = models.CharField(max_length=60, unique=True, help_text="Unique; uploads match on it.")
    printed_code = models.CharField(max_length=30, blank=True)
    name = models.CharField(max_length=300)
    section = models.CharField(max_length=100)
    table = models.CharField(max_length=100, help_text="The printed table the indicator belongs to.")
    polarity = models.CharField(
        max_length=1,
        choices=[
            (Polarity.HIGHER.value, "H: higher is better"),
            (Polarity.LOWER.value, "L: lower is better"),
            (Polarity.TARGET.value, "T: close to target is best"),
        ],
    )
    data_period = models.CharField(max_length=4, choices=DataPeriod.choices)
    frequency = models.CharField(max_length=10, choices=[(f.value, f.value.capitalize()) for f in Frequency])
    reported_for = models.CharField(max_length=10, choices=ReportedFor.choices)
    unit = models.CharField(
        max_length=10,
        choices=[(u, u) for u in ("percent", "rate", "number", "days", "weeks", "score", "currency")],
        help_text="What a value measures: a count (number) is suppressed when small on member pages.",
    )
    decimals = models.PositiveSmallIntegerField(default=1, help_text="Printed precision.")
    dot_compares_with = models.CharField(
        "direction of travel compares with",
        max_length=25,
        choices=[(c.value, c.value.capitalize()) for c in ComparesWith],
        default=ComparesWith.PREVIOUS_PERIOD,
    )
    rating = models.CharField(
        "rating rule",
        max_length=20,
        choices=[(r.value, r.value) for r in RatingRule],
        default=RatingRule.FLOOR,
        help_text="floor: RED below the floor; tolerance: AMBER within the tolerance of the target; "
        "tolerance_improving: GREEN within it, beyond it AMBER if better than a year earlier; "
        "none: data only.",
    )
    tolerance = models.DecimalField(
        null=True,
        blank=True,
        max_digits=20,
        decimal_places=6,
        help_text="For the tolerance rules: 10 means 10 % (or 10 in the value's unit).",
    )
    tolerance_kind = models.CharField(
        max_length=10, choices=[(k.value, k.value) for k in ToleranceKind], default=ToleranceKind.PERCENT
    )
    activity = models.BooleanField(
        default=False, help_text="An activity indicator: shown against its expected range, never RAG-rated."
    )
    definition = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)
    benchmark_label = models.CharField(max_length=200, blank=True)
    england_label = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    display_order = models.PositiveIntegerField(default=0)
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_indicators",
        help_text="Who supplies the figures: the 'to be supplied' list names them.",
    )

    class Meta:
        ordering = ["display_order", "code"]
        permissions = [
            ("view_scorecard", "Can browse the latest (provisional) scorecards"),
            ("upload_measurements", "Can upload and commit monthly measurements"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def is_reported_for(self, unit: ReportingUnit) -> bool:
        """The authority has every indicator; a district or team only those reported at its level."""
        if unit.kind == UnitKind.AUTHORITY:
            return True
        if unit.kind == UnitKind.DISTRICT:
            return self.reported_for == ReportedFor.DISTRICT
        if unit.kind == UnitKind.TEAM:
            return self.reported_for == unit.service
        return False  # areas hold no values

    @property
    def frequency_enum(self) -> Frequency:
        return Frequency(self.frequency)

    @property
    def has_outturn(self) -> bool:
        """Monthly and quarterly indicators print last year's outturn, target and RAG."""
        return self.frequency in (Frequency.MONTHLY, Frequency.QUARTERLY)

    @property
    def is_count(self) -> bool:
        return self.unit == "number"

    @property
    def needs_no_target(self) -> bool:
        """A "data only" indicator (rating rule none): never rated, so no target is missing. An activity
        indicator still needs its year's row in the targets, for its expected range."""
        return self.rating == RatingRule.NONE and not self.activity

    @property
    def rule(self) -> Rule:
        """The rating rule as the analysis functions take it; activity indicators are never rated."""
        if self.activity:
            return Rule(RatingRule.NONE)
        return Rule(RatingRule(self.rating), self.tolerance, ToleranceKind(self.tolerance_kind or "percent"))

    def clean(self) -> None:
        try:
            check_rule(self.rating, self.tolerance, self.tolerance_kind)
        except RuleError as error:
            raise ValidationError({"tolerance": f"{error}."}) from None


class Scorecard(models.Model):
    """A scorecard the MI team publishes: which indicators it shows, where, and how often."""

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly (as at Jun, Sep, Dec and Mar)"

    code = models.CharField(max_length=30, unique=True, help_text="Short and stable: used in URLs and files.")
    title = models.CharField(max_length=300)
    organisation = models.CharField(max_length=200, help_text="The authority's name as printed.")
    directorate = models.CharField(max_length=200, blank=True)
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    trend_periods = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many periods its trend shows (and a trend direction is fitted over); blank: as printed "
        "(seven months, four quarters, terms or years).",
    )
    attribution = models.TextField(blank=True, help_text="Printed under every page and in the pack.")
    direction = models.CharField(
        "direction of travel",
        max_length=25,
        blank=True,
        choices=[(c.value, c.value.capitalize()) for c in ComparesWith],
        help_text="Blank: each indicator's own method. Set (e.g. trend) to judge every indicator in it that way.",
    )
    is_default = models.BooleanField(
        "default", default=False, help_text="The scorecard the unprefixed URLs show. Exactly one is."
    )
    indicators = models.ManyToManyField(Indicator, through="ScorecardMembership", related_name="scorecards")

    class Meta:
        ordering = ["-is_default", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_scorecard"
            )
        ]
        # No automatic "view_scorecard": that codename is already Indicator's "browse the latest scorecards"
        # permission in this app, and has_perm("indicators.view_scorecard") must keep meaning only that.
        default_permissions = ("add", "change", "delete")

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def edition_months(self) -> tuple[int, ...]:
        """The calendar months it publishes as at: every month, or the quarters' last months."""
        return (6, 9, 12, 3) if self.cadence == self.Cadence.QUARTERLY else tuple(range(1, 13))


class ScorecardMembershipQuerySet(models.QuerySet["ScorecardMembership"]):
    def in_year(self, year: int) -> ScorecardMembershipQuerySet:
        """The memberships that hold in a (financial or academic) year starting in ``year``."""
        return self.filter(
            models.Q(from_year=None) | models.Q(from_year__lte=year),
            models.Q(to_year=None) | models.Q(to_year__gte=year),
        )


class ScorecardMembership(models.Model):
    """An indicator in a scorecard: where it sits there and the years it is in it.

    Leaving a scorecard sets ``to_year``; the indicator keeps every value and revision.
    """

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="memberships")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="memberships")
    section = models.CharField(max_length=100)
    table = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=0)
    from_year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="First year in it (2024: 2024-25).")
    to_year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Last year in it; blank: open.")

    objects = ScorecardMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["scorecard", "order", "indicator__code"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "indicator"], name="one_membership_each")]

    def __str__(self) -> str:
        return f"{self.indicator_id} in {self.scorecard_id}"

    def clean(self) -> None:
        if self.from_year is not None and self.to_year is not None and self.to_year < self.from_year:
            raise ValidationError({"to_year": "The last year is before the first."})


class Target(models.Model):
    """An indicator's target for one year (financial or academic, as its frequency says)."""

    class AppliesTo(models.TextChoices):
        ALL = "all", "All units"
        AUTHORITY = "authority", "The authority only"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(help_text="First calendar year: 2024 means 2024-25.")
    applies_to = models.CharField(max_length=10, choices=AppliesTo.choices, default=AppliesTo.ALL)
    unit = models.ForeignKey(
        ReportingUnit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Set to override the target for this one unit.",
    )
    period_kind = models.CharField(
        max_length=1,
        blank=True,
        choices=[(k.value, k.name.lower()) for k in PeriodKind],
        help_text="With period_start: a target profiled for that one period.",
    )
    period_start = models.DateField(null=True, blank=True)
    target = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    floor = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    band_low = models.DecimalField("green band from", null=True, blank=True, **VALUE_DIGITS)
    band_high = models.DecimalField("green band to", null=True, blank=True, **VALUE_DIGITS)
    floor_band_low = models.DecimalField("floor band from", null=True, blank=True, **VALUE_DIGITS)
    floor_band_high = models.DecimalField("floor band to", null=True, blank=True, **VALUE_DIGITS)
    lower_threshold = models.DecimalField(
        "expected from",
        null=True,
        blank=True,
        **VALUE_DIGITS,
        help_text="Activity indicators: the lower end of the expected range.",
    )
    upper_threshold = models.DecimalField("expected to", null=True, blank=True, **VALUE_DIGITS)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["indicator", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"], condition=models.Q(unit=None, period_start=None), name="one_target_a_year"
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "unit"],
                condition=~models.Q(unit=None) & models.Q(period_start=None),
                name="one_override_a_year",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_kind", "period_start"],
                condition=models.Q(unit=None) & ~models.Q(period_start=None),
                name="one_target_a_period",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_kind", "period_start", "unit"],
                condition=~models.Q(unit=None) & ~models.Q(period_start=None),
                name="one_override_a_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_label}: {self.target}"

    @property
    def year_label(self) -> str:
        return year_label(self.year)

    @property
    def period(self) -> Period | None:
        """The one period a profiled target is for; None for the whole year's."""
        if self.period_start is None or not self.period_kind:
            return None
        return Period(self.period_start, PeriodKind(self.period_kind))

    @property
    def period_label(self) -> str:
        """As the targets sheet's ``year`` column gives it: ``2024-25``, or ``Q1 22-23`` when profiled."""
        period = self.period
        return period.label if period is not None else self.year_label

    def spec(self) -> TargetSpec | None:
        """The target with its floor or bands; None for a row that only gives an activity's expected range."""
        if self.target is None:
            return None
        return TargetSpec(
            target=self.target,
            floor=self.floor,
            band_low=self.band_low,
            band_high=self.band_high,
            floor_band_low=self.floor_band_low,
            floor_band_high=self.floor_band_high,
        )

    def applies_to_unit(self, unit: ReportingUnit) -> bool:
        if self.unit_id is not None:
            return self.unit_id == unit.pk
        return self.applies_to == self.AppliesTo.ALL or unit.kind == UnitKind.AUTHORITY

    def clean(self) -> None:
        if self.target is None and self.lower_threshold is None and self.upper_threshold is None:
            raise ValidationError({"target": "Give a target, or an expected range for an activity indicator."})
        if (
            self.lower_threshold is not None
            and self.upper_threshold is not None
            and self.lower_threshold > self.upper_threshold
        ):
            raise ValidationError({"upper_threshold": "The expected range runs backwards."})
        if bool(self.period_kind) != (self.period_start is not None):
            raise ValidationError("A profiled target needs both its period's kind and start.")
        spec = self.spec()
        if self.indicator_id is None or spec is None:
            return
        try:
            check_target(spec, self.indicator.polarity)
        except TargetError as error:
            raise ValidationError(f"{self.indicator.code} {self.year_label}: {error}.") from None
        if self.unit_id is not None and self.unit is not None and self.unit.kind == UnitKind.AREA:
            raise ValidationError({"unit": "Areas hold no values, so they take no target."})


class Benchmark(models.Model):
    class Comparator(models.TextChoices):
        BENCHMARK = "benchmark", "Benchmark group"
        ENGLAND = "England", "England"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="benchmarks")
    comparator = models.CharField(max_length=10, choices=Comparator.choices)
    label = models.CharField(max_length=200, help_text="Says its as-at date or year.")
    value = models.DecimalField(**VALUE_DIGITS)
    as_at = models.DateField(
        help_text="The date the figure refers to (the start of the year for a yearly figure). An edition shows "
        "the latest benchmark dated on or before its month's end.",
    )
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["indicator", "comparator", "-as_at"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "comparator", "as_at"], name="one_benchmark_each_date")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.label}: {self.value}"


class Status(models.TextChoices):
    """Why a value is missing. A blank is never a zero."""

    NOT_AVAILABLE = "N/A", "N/A"
    TO_BE_SUPPLIED = "to be supplied", "data to be supplied"
    SUPPRESSED = "suppressed", "suppressed"


class MeasurementQuerySet(models.QuerySet["Measurement"]):
    def for_period(self, period: Period) -> MeasurementQuerySet:
        return self.filter(period_kind=period.kind.value, period_start=period.start)

    def edition_months(self) -> list[date]:
        """The months an edition can be as at, newest first (first days): those in which a period the authority
        has a row for ends (a monthly row's month; a quarterly row's last month: Jun, Sep, Dec or Mar). One query.

        Quarterly rows count so that an install whose scorecards are all quarterly has editions too. Reading the
        authority's rows only keeps this cheap however many districts and teams there are.
        """
        starts = (
            self.filter(
                period_kind__in=[PeriodKind.MONTH.value, PeriodKind.QUARTER.value], unit__kind=UnitKind.AUTHORITY
            )
            .values_list("period_kind", "period_start")
            .distinct()
        )
        months = {start if kind == PeriodKind.MONTH.value else add_months(start, 2) for kind, start in starts}
        return sorted(months, reverse=True)

    def latest_edition_month(self) -> date | None:
        """The newest edition month (its first day), or None before any figures (one query)."""
        return next(iter(self.edition_months()), None)


class Measurement(models.Model):
    """One value (or a status saying why there is none) of an indicator, for a unit and period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    unit = models.ForeignKey(ReportingUnit, on_delete=models.CASCADE, related_name="measurements")
    period_kind = models.CharField(max_length=1, choices=[(k.value, k.name.lower()) for k in PeriodKind])
    period_start = models.DateField()
    value = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    numerator = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    denominator = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    synthetic = models.BooleanField(
        default=False, help_text="Generated demo history (load_demo --synthetic-history), never a real figure."
    )
    footnote = models.TextField(
        blank=True,
        help_text="Printed as a numbered note wherever the value is shown (e.g. a provisional figure).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period_kind", "period_start"], name="one_value_per_period"
            ),
            models.CheckConstraint(
                condition=~(models.Q(value=None) & models.Q(status="")), name="blank_value_needs_status"
            ),
        ]
        # A scorecard reads its units' values over a window of months: (unit, period_start). Reads for one
        # indicator and unit use the unique constraint's index (indicator, unit, kind, start).
        indexes = [models.Index(fields=["unit", "period_start"], name="measurement_unit_period")]

    def __str__(self) -> str:
        shown = self.value if self.value is not None else self.status
        return f"{self.indicator_id} {self.unit} {self.period.label}: {shown}"

    @property
    def period(self) -> Period:
        return Period(self.period_start, PeriodKind(self.period_kind))

    def clean(self) -> None:
        if self.value is None and not self.status:
            raise ValidationError(
                "A blank value needs a status (N/A, to be supplied or suppressed): a blank is never a zero."
            )
        if self.unit_id is not None and self.unit.kind == UnitKind.AREA:
            raise ValidationError({"unit": "Areas hold no values: give the value for each district."})


class MeasurementRevisionQuerySet(models.QuerySet["MeasurementRevision"]):
    def revisions_for(
        self, indicator: Indicator | int, units: ReportingUnit | int | Iterable[ReportingUnit]
    ) -> MeasurementRevisionQuerySet:
        """Every revision of one indicator's values for one unit (or several: a district's serving teams), newest
        first, with the measurement, its unit and who changed it (one query): the indicator page's revisions."""
        where = (
            {"measurement__unit": units}
            if isinstance(units, ReportingUnit | int)
            else {"measurement__unit__in": list(units)}
        )
        return (
            self.filter(measurement__indicator=indicator, **where)
            .select_related("measurement__unit", "changed_by")
            .order_by("-changed_at", "-pk")
        )


class MeasurementRevision(models.Model):
    """A changed value keeps its old value, when, who and why."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="revisions")
    old_value = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    old_numerator = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    old_denominator = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    old_status = models.CharField(max_length=20, blank=True)
    new_value = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    new_numerator = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    new_denominator = models.DecimalField(null=True, blank=True, **VALUE_DIGITS)
    new_status = models.CharField(max_length=20, blank=True)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.CharField(max_length=300)
    upload = models.ForeignKey("Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions")

    objects = MeasurementRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.measurement}: {self.old_value} → {self.new_value}"


class UploadManager(models.Manager["Upload"]):
    def get_queryset(self) -> models.QuerySet[Upload]:
        # The carried values are only for the commit (which asks for them): pages listing uploads skip them.
        return super().get_queryset().defer("carried")


class Upload(models.Model):
    """A spreadsheet the MI team uploaded, kept with its outcome.

    The file itself lives in the database, where the web process and the worker both reach it.
    """

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        PREVIEWED = "previewed", "Ready to confirm"
        INVALID = "invalid", "Has errors"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Loading"
        COMMITTED = "committed", "Committed"
        FAILED = "failed", "Failed"
        STALE = "stale", "Preview out of date"

    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    stage = models.CharField(max_length=40, blank=True, help_text="What the worker is doing now.")
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried = models.BinaryField(
        null=True,
        blank=True,
        editable=False,
        help_text="PostgreSQL: the values the preview checked, compressed (indicators.importing.staging.Carried), "
        "so the commit need not parse and check the file again. Cleared once committed.",
    )

    touched_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The upload's last sign of progress (received, queued, or a step of its check). One left "
        "received or queued for longer than UPLOAD_STALE_SECONDS has lost its task and is offered again.",
    )
    notice = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why the last action did not go through (the task queue could not be reached), for the MI team.",
    )

    objects = UploadManager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"


class DefinitionChangeQuerySet(models.QuerySet["DefinitionChange"]):
    def for_indicator(self, indicator: Indicator | int) -> DefinitionChangeQuerySet:
        """An indicator's definition and target history, newest first (one query)."""
        return self.filter(indicator=indicator).select_related("user", "target")

    def for_history_page(self) -> DefinitionChangeQuerySet:
        """Every change with what it is about, newest first (one query per page)."""
        return self.select_related("user", "indicator", "scorecard", "unit")


class DefinitionChange(models.Model):
    """A change to a definition: an indicator, one of its targets, floors or bands, a benchmark, a scorecard or
    an indicator's place in one, a reporting unit or an alias. Who, when, what (field: old -> new), why.

    ``indicator``, ``scorecard`` and ``unit`` say what it is about (a membership names both its indicator and
    its scorecard; an alias names its unit); ``what`` says it in words and outlives a deleted record.
    """

    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.CASCADE, related_name="definition_changes"
    )
    scorecard = models.ForeignKey(
        "Scorecard", null=True, blank=True, on_delete=models.SET_NULL, related_name="definition_changes"
    )
    unit = models.ForeignKey(
        ReportingUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="definition_changes"
    )
    target = models.ForeignKey(Target, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes")
    what = models.CharField(max_length=100, help_text="What changed: 'definition', or the target's year and unit.")
    changes = models.JSONField(help_text="{field: [old, new]} as printed text; old is '' for a new record.")
    reason = models.CharField(max_length=500)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    target_upload = models.ForeignKey(
        "TargetUpload", null=True, blank=True, on_delete=models.SET_NULL, related_name="definition_changes"
    )

    objects = DefinitionChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        about = f"{self.indicator_id} " if self.indicator_id else ""
        return f"{about}{self.what} at {self.at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if not self.reason.strip():
            raise ValidationError({"reason": "Say why: a change to a definition or target needs a reason."})


class TargetUpload(models.Model):
    """A spreadsheet of targets, floors and bands, kept with its check and outcome (validate -> preview -> commit)."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", "Ready to confirm"
        INVALID = "invalid", "Has errors"
        COMMITTED = "committed", "Committed"

    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField(default=0)
    reason = models.CharField(max_length=500, help_text="Why these targets change: kept with every change.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREVIEWED)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True, help_text="The rows that would change, as printed text.")
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"


class DefinitionUpload(models.Model):
    """Definition files the MI team uploaded (import_definitions from the web), kept with their check and outcome.

    The files are kept together as one zip archive, so the commit reads exactly what the preview checked.
    """

    class State(models.TextChoices):
        PREVIEWED = "previewed", "Ready to confirm"
        INVALID = "invalid", "Has errors"
        COMMITTED = "committed", "Committed"

    filename = models.CharField(max_length=500, help_text="The uploaded file names.")
    content = models.BinaryField()
    size = models.PositiveBigIntegerField(default=0)
    reason = models.CharField(max_length=500, help_text="Why these definitions change: kept with every change.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREVIEWED)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    changes = models.JSONField(default=list, blank=True, help_text="What the commit would change, as printed lines.")
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"
