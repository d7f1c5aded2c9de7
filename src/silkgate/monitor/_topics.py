"""LDA topics (scikit-learn) over transfer content; content unlike every topic is unusual."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer

from silkgate.monitor._embed import tokens


class TopicModel:
    """Fits ``topics`` LDA topics; ``score`` is each document's mean negative log-likelihood
    per word under its inferred topic mix, plus the share of words never seen in training."""

    name = "lda"

    def __init__(self, *, topics: int = 8, seed: int = 0) -> None:
        self._vectorizer = CountVectorizer(tokenizer=tokens, lowercase=False, token_pattern=None)
        self._lda = LatentDirichletAllocation(n_components=topics, random_state=seed)

    def fit(self, texts: Sequence[str]) -> TopicModel:
        counts = self._vectorizer.fit_transform(texts)
        self._lda.fit(counts)
        norm = self._lda.components_ / self._lda.components_.sum(axis=1, keepdims=True)
        self._word_given_topic = norm
        return self

    def topics(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Topic mix per document (rows sum to 1)."""
        return np.asarray(self._lda.transform(self._vectorizer.transform(texts)))

    def top_words(self, n: int = 5) -> list[list[str]]:
        vocab = self._vectorizer.get_feature_names_out()
        return [[str(vocab[i]) for i in np.argsort(-row)[:n]] for row in self._word_given_topic]

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        counts = self._vectorizer.transform(texts)
        mix = self._lda.transform(counts)
        word_prob = mix @ self._word_given_topic
        known = np.asarray(counts.sum(axis=1)).ravel()
        total = np.array([max(len(tokens(t)), 1) for t in texts], dtype=float)
        coo = counts.tocoo()
        loglik = np.zeros(counts.shape[0])
        np.add.at(loglik, coo.row, coo.data * np.log(word_prob[coo.row, coo.col] + 1e-12))
        nll = -loglik / np.maximum(known, 1)
        return np.asarray(nll + 10.0 * (1.0 - known / total), dtype=np.float64)
