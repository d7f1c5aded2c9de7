"""Word2Vec (gensim) embeddings of text fields: service, host, URI, user agent, DNS query."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
from gensim.models import Word2Vec

_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: object) -> list[str]:
    """Lower-case alphanumeric runs: ``GET /api/v1/users?id=7`` → ``get api v1 users id 7``."""
    if not isinstance(text, str):
        return []
    return _TOKEN.findall(text.lower())


class TextEmbedder:
    """Embeds a text value as the mean of its tokens' Word2Vec vectors (zeros when unknown).

    Trained on sentences built per record from all its text fields, so tokens that occur
    together (a host and its URIs) land close together.
    """

    def __init__(
        self, *, dim: int = 8, epochs: int = 5, seed: int = 0, max_sentences: int = 20_000
    ):
        self.dim = dim
        self.epochs = epochs
        self.seed = seed
        self.max_sentences = max_sentences
        self._model: Word2Vec | None = None

    def fit(self, sentences: Iterable[Sequence[str]]) -> TextEmbedder:
        corpus = [list(s) for s in sentences if s]
        unique = list({tuple(s): None for s in corpus})[: self.max_sentences]
        if not unique:
            self._model = None
            return self
        self._model = Word2Vec(
            sentences=[list(s) for s in unique],
            vector_size=self.dim,
            window=5,
            min_count=1,
            workers=1,
            seed=self.seed,
            epochs=self.epochs,
            sg=1,
        )
        return self

    def embed(self, values: Sequence[object]) -> npt.NDArray[np.float32]:
        """One row per value; distinct values are embedded once."""
        out = np.zeros((len(values), self.dim), dtype=np.float32)
        if self._model is None:
            return out
        vectors = self._model.wv
        cache: dict[object, npt.NDArray[np.float32]] = {}
        for i, value in enumerate(values):
            vector = cache.get(value)
            if vector is None:
                known = [t for t in tokens(value) if t in vectors.key_to_index]
                vector = (
                    np.mean([vectors[t] for t in known], axis=0).astype(np.float32)
                    if known
                    else np.zeros(self.dim, dtype=np.float32)
                )
                cache[value] = vector
            out[i] = vector
        return out
