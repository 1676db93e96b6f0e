"""Strict decoding of a template document, then its semantic checks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import msgspec

from backend.checklists import problems as p
from backend.checklists.document import TemplateDocument
from backend.checklists.problems import TemplateInvalid, TemplateProblem
from backend.checklists.validate import check_template

MAX_DOCUMENT_BYTES: Final = 512 * 1024

_decoder: Final = msgspec.json.Decoder(TemplateDocument)
# msgspec reports where a value failed as "<reason> - at `$.sections[0].items[1].label`".
_AT: Final = re.compile(r"^(?P<reason>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_FIELD: Final = re.compile(r"^Object (?P<kind>missing required|contains unknown) field `(?P<field>[^`]+)`")


def parse_template(data: bytes | str | Mapping[str, Any]) -> TemplateDocument:
    """Decode a template document strictly and check its semantics.

    Args:
        data: The document as JSON (bytes or text) or as already-decoded JSON objects.

    Returns:
        The decoded document.

    Raises:
        TemplateInvalid: With one problem if the document does not decode (a type error names the
            first bad field), or with every semantic problem found otherwise.
    """
    document = decode_template(data)
    problems = check_template(document)
    if problems:
        raise TemplateInvalid(problems)
    return document


def decode_template(data: bytes | str | Mapping[str, Any]) -> TemplateDocument:
    """Decode a template document strictly, without the semantic checks.

    Raises:
        TemplateInvalid: With the one problem that stopped the decoding.
    """
    try:
        if isinstance(data, bytes | str):
            if len(data) > MAX_DOCUMENT_BYTES:
                raise TemplateInvalid(
                    [TemplateProblem(path="", code=p.TOO_LARGE, message="the document is too large")]
                )
            return _decoder.decode(data)
        return msgspec.convert(data, TemplateDocument)
    except msgspec.ValidationError as error:
        raise TemplateInvalid([_validation_problem(str(error))]) from error
    except msgspec.DecodeError as error:
        problem = TemplateProblem(path="", code=p.MALFORMED, message=f"not a JSON document: {error}")
        raise TemplateInvalid([problem]) from error


def _validation_problem(text: str) -> TemplateProblem:
    match = _AT.match(text)
    reason = match["reason"] if match else text
    path = (match["path"] or "").removeprefix(".") if match else ""
    if field := _FIELD.match(reason):
        path = f"{path}.{field['field']}" if path else field["field"]
        if field["kind"] == "missing required":
            return TemplateProblem(path=path, code=p.MISSING_FIELD, message="this required field is missing")
        return TemplateProblem(
            path=path, code=p.UNKNOWN_FIELD, message="this field is not part of the format"
        )
    code = p.WRONG_TYPE if re.match(r"^Expected `[^`]+`, got `[^`]+`$", reason) else p.INVALID_VALUE
    return TemplateProblem(path=path, code=code, message=reason)
