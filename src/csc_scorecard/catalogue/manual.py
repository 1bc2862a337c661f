"""Manual measures as catalogue entries: an Indicator whose values are recorded by hand, not counted.

A manual measure is an indicator like any other once it is in the catalogue, so everything that walks the
catalogue (the engine, the judge, the pack, the slides, the dashboard, `indicators`, `commentary`) takes it
without a second path. Only two things differ, each in one place: the engine takes its values from the store's
`manual_values` instead of a query (engine/manual.py), and its target may come with its declaration
(pipeline.build adds it to the targets; a targets file's entry for it wins).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..sources.manual import MeasureDeclaration
from .models import Catalogue, CatalogueError, Indicator

SOURCE = "Recorded by hand (a manual measure): no statutory return holds it"


def manual_indicator(measure: MeasureDeclaration) -> Indicator:
    described = measure.description or measure.label
    if measure.unit == "percent":
        described += f" ({measure.numerator} as a percentage of {measure.denominator})"
    every = "each quarter" if measure.frequency == "quarter" else "each month"
    rule = "the window's total" if measure.kind == "flow" else "the latest value in the window"
    return Indicator(
        id=measure.id,
        label=measure.label,
        area=measure.area,
        unit=measure.unit,
        polarity=measure.polarity,
        kind=measure.kind,
        description=f"{described}. Recorded {every}; a period shows {rule}.",
        source=SOURCE,
        plural=measure.plural,
        manual=measure,
    )


def with_manual(catalogue: Catalogue, measures: Iterable[MeasureDeclaration]) -> Catalogue:
    """The catalogue with the manual measures added after its own indicators; an id the catalogue already
    uses is a CatalogueError (declaring refuses it, so a store never holds one)."""
    measures = list(measures)
    if not measures:
        return catalogue
    clash = [m.id for m in measures if m.id in catalogue.indicators]
    if clash:
        raise CatalogueError(
            [f"manual measure {i}: the catalogue already has an indicator {i}" for i in clash]
        )
    indicators = {**catalogue.indicators, **{m.id: manual_indicator(m) for m in measures}}
    origins = {**catalogue.origins, **{f"indicator {m.id}": "manual measures" for m in measures}}
    return replace(catalogue, indicators=indicators, origins=origins)


__all__ = ["SOURCE", "manual_indicator", "with_manual"]
