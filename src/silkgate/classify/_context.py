"""Context words by character window: Presidio's ContextAwareEnhancer seam, filled so that it
works for every script, including those written without spaces (Chinese, Thai).

Presidio's default enhancer compares spaCy tokens and lemmas, which a blank pipeline does
not give for Chinese or Thai. This one looks at the characters before a match, back to the
last number or clause break, for any of the recognizer's context words (case-insensitive).
"""

from __future__ import annotations

import re
from functools import lru_cache

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts

# a context word belongs to the match only if no number or clause break stands between them
_BREAK = re.compile(r"[0-9。！？!?;；,，、\n]")


class WindowContextEnhancer(ContextAwareEnhancer):
    """Raises a result's score by ``boost`` when a context word precedes it closely."""

    def __init__(self, *, window_chars: int = 40, boost: float = 0.4, floor: float = 0.5) -> None:
        super().__init__(
            context_similarity_factor=boost,
            min_score_with_context_similarity=floor,
            context_prefix_count=0,
            context_suffix_count=0,
        )
        self.window_chars = window_chars

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        words_by_id = {r.id: [w.lower() for w in (r.context or [])] for r in recognizers}
        extra = [w.lower() for w in (context or [])]
        for result in raw_results:
            meta = result.recognition_metadata or {}
            if meta.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY):
                continue
            words = words_by_id.get(meta.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY), [])
            if self.has_context(text, result.start, [*words, *extra]):
                result.score = min(
                    max(result.score + self.context_similarity_factor,
                        self.min_score_with_context_similarity),
                    self.MAX_SCORE,
                )  # fmt: skip
                meta[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
                result.recognition_metadata = meta
        return raw_results

    def has_context(self, text: str, start: int, words: list[str]) -> bool:
        if not words:
            return False
        window = text[max(0, start - self.window_chars) : start]
        breaks = list(_BREAK.finditer(window))
        if breaks:
            window = window[breaks[-1].end() :]
        return _matcher(tuple(words)).search(window.lower()) is not None


@lru_cache(maxsize=256)
def _matcher(words: tuple[str, ...]) -> re.Pattern[str]:
    """Latin words match whole words ("tel" not in "hotel"); others match anywhere."""
    parts = [
        rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w.isascii() else re.escape(w)
        for w in sorted(set(words), key=len, reverse=True)
    ]
    return re.compile("|".join(parts))
