"""The Classifier: one runtime object holding silkgate's identifiers and the Presidio
analyzer built from them (once, on first use), shared by tables and text.

The analyzer runs offline: a blank spaCy pipeline (no model to download), recognizers that
need no network, and the e-mail check against tldextract's bundled suffix list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine

from silkgate.classify._context import WindowContextEnhancer
from silkgate.classify._errors import ClassifyError, InvalidRecognizer
from silkgate.classify._identifier import Identifier
from silkgate.classify._ids import BUILTIN
from silkgate.classify._io import _SUFFIXES, read_table, read_text, resolve_format
from silkgate.classify._reports import TableReport, TextEntity, TextRecord, TextReport
from silkgate.classify._table import classify_frame
from silkgate.classify._text import resolve
from silkgate.classify._types import LANGUAGE, Format, RecordId


class BlankSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine on ``spacy.blank`` (tokenizer only): nothing to download."""

    def __init__(self, language: str = LANGUAGE) -> None:
        super().__init__(models=[{"lang_code": language, "model_name": f"blank:{language}"}])
        self.language = language

    def load(self) -> None:
        self.nlp = {self.language: spacy.blank(self.language)}  # type: ignore[assignment]


class Classifier:
    """Finds personal and sensitive data in tables and text.

    >>> classifier = Classifier()
    >>> report = classifier.classify_text([(1, "NRIC S1234567D, email tan@example.sg")])
    >>> [e.type for e in report.records[0].entities]
    ['SG_NRIC_FIN', 'EMAIL_ADDRESS']
    """

    def __init__(
        self,
        identifiers: Iterable[Identifier] | None = None,
        *,
        score_threshold: float = 0.5,
        sample_size: int = 500,
    ) -> None:
        self._identifiers: list[Identifier] = list(BUILTIN if identifiers is None else identifiers)
        self._extra: list[EntityRecognizer] = []
        self._analyzer: AnalyzerEngine | None = None
        self.score_threshold = score_threshold
        self.sample_size = sample_size

    @property
    def identifiers(self) -> Sequence[Identifier]:
        return tuple(self._identifiers)

    def add_identifier(self, identifier: Identifier) -> None:
        """Register an identifier for tables and text (replacing one of the same entity)."""
        self._identifiers = [i for i in self._identifiers if i.entity != identifier.entity]
        self._identifiers.append(identifier)
        if self._analyzer is not None:
            self._analyzer.registry.remove_recognizer(f"silkgate:{identifier.entity}")
            self._analyzer.registry.add_recognizer(identifier.recognizer())

    def add_recognizer(self, recognizer: EntityRecognizer) -> None:
        """Register any Presidio recognizer for text; it must support language ``"xx"``."""
        if recognizer.supported_language != LANGUAGE:
            name = getattr(recognizer, "name", type(recognizer).__name__)
            raise InvalidRecognizer(
                f"{name}: supported_language is {recognizer.supported_language!r}; "
                f"silkgate analyses every text as {LANGUAGE!r}",
                field="supported_language",
            )
        self._extra.append(recognizer)
        if self._analyzer is not None:
            self._analyzer.registry.add_recognizer(recognizer)

    @property
    def analyzer(self) -> AnalyzerEngine:
        """The Presidio AnalyzerEngine, built on first use."""
        if self._analyzer is None:
            try:
                registry = RecognizerRegistry(supported_languages=[LANGUAGE])
                for identifier in self._identifiers:
                    registry.add_recognizer(identifier.recognizer())
                for recognizer in self._extra:
                    registry.add_recognizer(recognizer)
                self._analyzer = AnalyzerEngine(
                    registry=registry,
                    nlp_engine=BlankSpacyNlpEngine(),
                    supported_languages=[LANGUAGE],
                    context_aware_enhancer=WindowContextEnhancer(),
                    default_score_threshold=self.score_threshold,
                )
            except (OSError, ValueError, ImportError) as error:
                raise ClassifyError(f"could not build the Presidio analyzer: {error}") from error
        return self._analyzer

    def analyze(self, text: str) -> list[TextEntity]:
        """The entities in ``text``, one type per span, ordered by position."""
        if not text.strip():
            return []
        results = self.analyzer.analyze(
            text=text, language=LANGUAGE, score_threshold=self.score_threshold
        )
        rank = {identifier.entity: n for n, identifier in enumerate(self._identifiers)}
        return resolve(results, rank)

    def classify_text(self, records: str | Iterable[tuple[RecordId, str]]) -> TextReport:
        """A TextReport of ``records`` (pairs of id and text; a bare string is record 0)."""
        pairs = [(0, records)] if isinstance(records, str) else records
        return TextReport(
            records=[TextRecord(id=rid, entities=self.analyze(text)) for rid, text in pairs]
        )

    def classify_table(self, frame: pd.DataFrame) -> TableReport:
        """A TableReport of ``frame``: decided per column on a sample, then every row checked."""
        return classify_frame(frame, self._identifiers, sample_size=self.sample_size)

    def classify_path(self, path: Path, format: Format = "auto") -> TableReport | TextReport:
        """Read ``path`` (CSV, Parquet, JSON Lines table, or text) and classify it."""
        path = Path(path)
        resolved = resolve_format(path, format)
        if resolved == "text":
            return self.classify_text(read_text(path, resolved, _SUFFIXES.get(path.suffix.lower())))
        return self.classify_table(read_table(path, resolved))
