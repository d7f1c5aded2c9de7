"""The exceptions of classification.

SilkgateError
├── InvalidInput
│   ├── NotFound              the file to classify does not exist (from domain)
│   ├── UnsupportedFormat     a format silkgate does not read, or a file it cannot parse as one
│   └── InvalidRecognizer     a custom identifier or recognizer that cannot be registered
└── ClassifyError             ours or the environment's: the engine could not run
"""

from __future__ import annotations

from silkgate.domain import InvalidInput, SilkgateError

FORMATS_ACCEPTED = "auto, csv, parquet, jsonl, text"


class ClassifyError(SilkgateError):
    """Classification could not run (engine failed to build, a reader library broke)."""


class UnsupportedFormat(InvalidInput):
    """The file is not in, or cannot be read as, one of the accepted formats."""

    def __init__(self, message: str, *, path: str, field: str | None = "format") -> None:
        super().__init__(f"{path}: {message} (accepted formats: {FORMATS_ACCEPTED})", field=None)
        self.path = path
        self.format_field = field


class InvalidRecognizer(InvalidInput):
    """A custom identifier or recognizer is malformed (no entity, wrong language, bad regex)."""
