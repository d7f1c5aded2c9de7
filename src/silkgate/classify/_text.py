"""Findings in one text: Presidio's results, overlaps resolved to one type per span."""

from __future__ import annotations

from presidio_analyzer import RecognizerResult

from silkgate.classify._reports import TextEntity


def resolve(results: list[RecognizerResult], rank: dict[str, int]) -> list[TextEntity]:
    """Keep, among overlapping results, the best: higher score, then longer, then the type
    listed first; the kept results are ordered by position."""
    ordered = sorted(
        results,
        key=lambda r: (-r.score, -(r.end - r.start), rank.get(r.entity_type, len(rank)), r.start),
    )
    kept: list[RecognizerResult] = []
    for result in ordered:
        if all(result.end <= k.start or result.start >= k.end for k in kept):
            kept.append(result)
    return [
        TextEntity(type=r.entity_type, start=r.start, end=r.end, score=round(float(r.score), 4))
        for r in sorted(kept, key=lambda r: (r.start, r.end))
    ]
