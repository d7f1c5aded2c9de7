"""The Transformer content model and LDA topics over transfer content."""

from __future__ import annotations

import numpy as np

from silkgate.monitor import ContentSensitivityModel, TopicModel

PERSONAL = [
    "full_name nric email mobile date_of_birth",
    "姓名 身份证号 手机号 诊断",
    "ho_ten so_cccd so_dien_thoai",
]
OTHER = [
    "sku price stock warehouse",
    "shipment_id weight_kg port eta",
    "invoice total currency due_date",
]


def test_transformer_reads_personal_content_as_sensitive() -> None:
    texts = (PERSONAL + OTHER) * 20
    labels = ([True] * 3 + [False] * 3) * 20

    model = ContentSensitivityModel(epochs=10, dim=16).fit(texts, labels)
    p = model.sensitivity(["email nric full_name amount", "sku warehouse stock"])

    assert p[0] > 0.5 > p[1]


def test_lda_scores_content_unlike_training_higher() -> None:
    model = TopicModel(topics=2).fit((PERSONAL + OTHER) * 10)

    scores = model.score(["sku price stock", "kernel exploit shellcode payload"])
    mix = model.topics(["sku price stock"])

    assert scores[1] > scores[0]
    assert np.isclose(mix.sum(), 1.0)
