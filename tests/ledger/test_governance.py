"""Configuration changes need a majority of organisations; CRLs need their CA's signature."""

from __future__ import annotations

import pytest

from silkgate.ledger import Consortium, ConsortiumConfig, ContractRefused, EndorsementPolicy


def _next(consortium: Consortium) -> ConsortiumConfig:
    current = consortium.peer().view.config
    return current.model_copy(
        update={
            "version": current.version + 1,
            "policies": {**current.policies, "consent": "any:2"},
        }
    )


def test_majority_of_admins_changes_the_configuration(consortium: Consortium) -> None:
    receipt = consortium.update_config(_next(consortium), ["cn-gxic", "sg-lionhealth"])

    assert receipt.is_valid
    assert all(p.view.config.policies["consent"] == "any:2" for p in consortium.peers.values())


def test_one_admin_of_three_is_not_enough(consortium: Consortium) -> None:
    with pytest.raises(ContractRefused, match="1 of 3 organisations approved"):
        consortium.update_config(_next(consortium), ["cn-gxic"])

    assert consortium.peer().view.config.version == 0


def test_version_must_be_the_next(consortium: Consortium) -> None:
    skipped = _next(consortium).model_copy(update={"version": 5})

    with pytest.raises(ContractRefused, match="version must be 1"):
        consortium.update_config(skipped, ["cn-gxic", "sg-lionhealth", "vn-mekonglog"])


def test_crl_not_signed_by_the_org_ca_is_refused(consortium: Consortium) -> None:
    foreign_crl = consortium.ca("sg-lionhealth").crl_pem()

    with pytest.raises(ContractRefused, match="not signed by its CA"):
        consortium.client("cn-gxic").invoke(
            "governance", "update_crl", {"org": "cn-gxic", "crl": foreign_crl}
        )


@pytest.mark.parametrize(
    ("text", "orgs", "owner", "satisfied"),
    [
        pytest.param("majority", {"a", "b"}, None, True, id="majority-2-of-3"),
        pytest.param("majority", {"a"}, None, False, id="majority-1-of-3"),
        pytest.param("any:2", {"b", "c"}, None, True, id="any2"),
        pytest.param("owner+1", {"a", "b"}, "a", True, id="owner-and-one"),
        pytest.param("owner+1", {"b", "c"}, "a", False, id="owner-absent"),
        pytest.param("owner+1", {"a", "b"}, None, False, id="owner-unknown"),
    ],
)
def test_endorsement_policies(
    text: str, orgs: set[str], owner: str | None, satisfied: bool
) -> None:
    assert EndorsementPolicy.parse(text).is_satisfied(orgs, 3, owner) is satisfied


def test_unknown_policy_text_is_refused() -> None:
    with pytest.raises(ValueError, match="use majority, any:K or owner"):
        EndorsementPolicy.parse("all")
