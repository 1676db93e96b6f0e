"""The settings form of evaluations (weights, thresholds, targets): from posted text to a checked
configuration, or errors per field. Pure: the bounds come from the types in ``config``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, NamedTuple

import msgspec

from backend.evaluations.config import ConfigError, EvaluationConfig, Targets, Thresholds, Weights, check

SECTIONS: Final[dict[str, type[msgspec.Struct]]] = {
    "weights": Weights,
    "thresholds": Thresholds,
    "targets": Targets,
}


class FieldSpec(NamedTuple):
    name: str  # the form's name: section.field
    integer: bool
    minimum: float
    maximum: float


class FieldError(NamedTuple):
    code: str  # catalogue key
    params: dict[str, Any]


def _specs() -> list[FieldSpec]:
    specs = []
    for section, struct in SECTIONS.items():
        info = msgspec.inspect.type_info(struct)
        if not isinstance(info, msgspec.inspect.StructType):
            raise TypeError(section)
        for field in info.fields:
            kind = field.type
            if not isinstance(kind, msgspec.inspect.FloatType | msgspec.inspect.IntType):
                raise TypeError(field.name)  # every setting is a bounded number
            specs.append(
                FieldSpec(
                    f"{section}.{field.name}",
                    isinstance(kind, msgspec.inspect.IntType),
                    float(kind.ge if kind.ge is not None else 0),
                    float(kind.le if kind.le is not None else 1e9),
                )
            )
    return specs


FIELDS: Final = _specs()


def form_values(config: EvaluationConfig) -> dict[str, str]:
    """The form filled with ``config``."""
    values = {}
    for spec in FIELDS:
        section, name = spec.name.split(".")
        value = getattr(getattr(config, section), name)
        values[spec.name] = str(int(value)) if spec.integer else f"{value:g}"
    return values


def _number(text: str, spec: FieldSpec) -> float | int | FieldError:
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return FieldError("evaluations.error.required", {})
    try:
        value: float | int = int(cleaned) if spec.integer else float(cleaned)
    except ValueError:
        code = "evaluations.error.integer" if spec.integer else "evaluations.error.number"
        return FieldError(code, {})
    if value != value or not spec.minimum <= value <= spec.maximum:  # NaN is out of every range
        return FieldError("evaluations.error.range", {"min": f"{spec.minimum:g}", "max": f"{spec.maximum:g}"})
    return value


def parse_settings(fields: Mapping[str, str]) -> tuple[EvaluationConfig | None, dict[str, FieldError]]:
    """A checked configuration, or the errors by form field name (nothing is partly accepted)."""
    errors: dict[str, FieldError] = {}
    document: dict[str, dict[str, float | int]] = {section: {} for section in SECTIONS}
    for spec in FIELDS:
        parsed = _number(fields.get(spec.name, ""), spec)
        if isinstance(parsed, FieldError):
            errors[spec.name] = parsed
        else:
            section, name = spec.name.split(".")
            document[section][name] = parsed
    if errors:
        return None, errors
    config = msgspec.convert(document, EvaluationConfig)
    try:
        check(config)
    except ConfigError as error:
        return None, {error.field: FieldError(f"evaluations.error.{error.code}", {})}
    return config, {}
