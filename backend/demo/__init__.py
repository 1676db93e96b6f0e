"""Demo reference data: bodies, wilayas and a real checklist template."""

from pathlib import Path
from typing import Final

TEMPLATES_DIR: Final = Path(__file__).parent / "templates"
"""Folder of the demo checklist templates, one JSON document per template."""
