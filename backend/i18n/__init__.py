"""Server-side messages in Arabic, French and English, and the choice of language."""

from backend.i18n.language import DEFAULT_LANGUAGE, LANGUAGES, negotiate
from backend.i18n.messages import translate

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "negotiate", "translate"]
