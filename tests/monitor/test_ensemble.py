def test_training_set_larger_than_the_knn_index_still_fits() -> None:
    import numpy as np

    from silkgate.monitor import Ensemble, IsolationForestDetector, KnnDetector

    rng = np.random.default_rng(3)
    train = rng.normal(size=(600, 4))
    ensemble = Ensemble([KnnDetector(max_train=200), IsolationForestDetector(n_estimators=20)])
    ensemble.fit(train)
    scores = ensemble.score(np.vstack([train[:5], np.full((1, 4), 8.0)]))
    assert scores.shape == (6,)
    assert scores[-1] > scores[:5].max()
