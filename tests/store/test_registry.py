from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from silkgate.domain import Conflict, Dataset, NotFound, Party
from silkgate.store import Database, Registry

CN = Party(id="cn-a", name="A Co.", jurisdiction="CN", roles=frozenset({"data_provider"}))
SG = Party(id="sg-b", name="B Pte", jurisdiction="SG", certifications=frozenset({"GLOBAL_CBPR"}))


def _dataset(dataset_id: str, owner: str = "cn-a") -> Dataset:
    return Dataset(
        id=dataset_id, name="visits", owner=owner, location="CN", rows=10, subjects=4,
        sensitive_subjects=4, categories=frozenset({"health", "contact"}), grade="general_4",
        content_hash=hashlib.sha256(dataset_id.encode()).hexdigest(),
    )  # fmt: skip


@pytest.fixture
def registry(database_url: str) -> Iterator[Registry]:
    with Database(database_url) as database:
        database.migrate()
        yield Registry(database)


def test_parties_round_trip(registry: Registry) -> None:
    registry.add_parties([CN, SG])
    assert registry.parties() == [CN, SG]
    assert registry.party("sg-b").certifications == {"GLOBAL_CBPR"}


def test_adding_a_taken_id_writes_none_of_the_batch(registry: Registry) -> None:
    registry.add_parties([CN])
    other = Party(id="th-c", name="C", jurisdiction="TH")
    with pytest.raises(Conflict, match="already registered"):
        registry.add_parties([other, CN])
    assert [p.id for p in registry.parties()] == ["cn-a"]


def test_repeated_ids_in_one_batch_are_refused(registry: Registry) -> None:
    with pytest.raises(Conflict, match="repeated"):
        registry.add_parties([CN, CN])
    assert registry.parties() == []


def test_datasets_round_trip_and_filter_by_owner(registry: Registry) -> None:
    registry.add_parties([CN, SG])
    registry.add_dataset(_dataset("d1"), uri="file:///data/d1.parquet")
    registry.add_dataset(_dataset("d2", owner="sg-b"))
    assert [d.id for d in registry.datasets()] == ["d1", "d2"]
    assert registry.datasets(owner="cn-a") == [_dataset("d1")]
    assert registry.dataset_uri("d1") == "file:///data/d1.parquet"


def test_dataset_of_unknown_owner_is_refused(registry: Registry) -> None:
    with pytest.raises(NotFound, match="not a registered party"):
        registry.add_dataset(_dataset("d1", owner="nobody"))
    assert registry.datasets() == []


def test_duplicate_dataset_keeps_the_first(registry: Registry) -> None:
    registry.add_parties([CN])
    registry.add_dataset(_dataset("d1"))
    with pytest.raises(Conflict):
        registry.add_dataset(_dataset("d1").model_copy(update={"rows": 99}))
    assert registry.datasets()[0].rows == 10


def test_unknown_party_is_not_found(registry: Registry) -> None:
    with pytest.raises(NotFound, match="no party 'zz'"):
        registry.party("zz")
