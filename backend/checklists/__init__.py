"""Checklist templates: the version document, its strict decoding and its semantic checks."""

from backend.checklists.document import ITEM_TYPES, Item, Localized, Option, Section, Target, TemplateDocument
from backend.checklists.parse import decode_template, parse_template
from backend.checklists.problems import TemplateInvalid, TemplateProblem
from backend.checklists.validate import check_template, referenced_keys

__all__ = [
    "ITEM_TYPES",
    "Item",
    "Localized",
    "Option",
    "Section",
    "Target",
    "TemplateDocument",
    "TemplateInvalid",
    "TemplateProblem",
    "check_template",
    "decode_template",
    "parse_template",
    "referenced_keys",
]
