"""The indicators the ministry follows per agency and period, with their unit and the values allowed."""

from __future__ import annotations

from typing import Final, NamedTuple


class Indicator(NamedTuple):
    key: str
    unit: str  # stored with each reading; shown through the catalogue key indicators.unit.<unit>
    minimum: float
    maximum: float


CATALOG: Final[dict[str, Indicator]] = {
    indicator.key: indicator
    for indicator in (
        # Mean days between a file's receipt and its processing.
        Indicator("processing_delay_days", "days", 0.0, 3650.0),
        # Citizens' mean satisfaction on the same 1–5 scale as the interviews of visits.
        Indicator("satisfaction", "rating", 1.0, 5.0),
        # Contributions collected over contributions due, and debts recovered over debts due.
        Indicator("collection_rate", "pct", 0.0, 100.0),
        Indicator("debt_collection_rate", "pct", 0.0, 100.0),
    )
}
