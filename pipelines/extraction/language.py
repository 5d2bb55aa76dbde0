"""The article's language: what the page declares, unless its text plainly says otherwise.

Many sites declare one language for every page (`<html lang="en">` on a French story),
so a long text that the detector reads as another language with near certainty wins over
the declaration. Detection is py3langid's model, shipped with the package: offline.
"""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

MIN_CHARS_TO_DETECT = 40
MIN_CHARS_TO_OVERRULE = 400
OVERRULE_CONFIDENCE = 0.999
DETECT_CHARS = 3000  # the opening says the language as surely as the whole, at a fraction


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str, float]:
    """Language code and probability for a text."""
    language, probability = _identifier().classify(text)
    return str(language), float(probability)


def choose_language(declared: str | None, text: str) -> str | None:
    """ISO 639 code of the article's language, or None when neither page nor text says."""
    primary = (declared or "").replace("_", "-").split("-")[0].strip().lower()
    declared_code = primary if 2 <= len(primary) <= 3 and primary.isalpha() else None
    if len(text) < MIN_CHARS_TO_DETECT:
        return declared_code
    detected, probability = detect(text[:DETECT_CHARS])
    if declared_code is None:
        return detected
    if (
        detected != declared_code
        and len(text) >= MIN_CHARS_TO_OVERRULE
        and probability >= OVERRULE_CONFIDENCE
    ):
        return detected
    return declared_code
