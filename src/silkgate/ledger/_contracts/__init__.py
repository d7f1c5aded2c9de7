"""The contracts every peer runs; ``default_contracts()`` gives one instance of each."""

from __future__ import annotations

from silkgate.ledger._contracts._access import SCOPES, AccessContract, grant_allows
from silkgate.ledger._contracts._base import Contract, StateReader, TxContext, function
from silkgate.ledger._contracts._consent import ConsentContract
from silkgate.ledger._contracts._exchange import ANCHOR_KINDS, ORDER_TRANSITIONS, ExchangeContract
from silkgate.ledger._contracts._governance import (
    CONFIG_KEY,
    CRL_PREFIX,
    GovernanceContract,
    approve_config,
)
from silkgate.ledger._contracts._registry import RegistryContract


def default_contracts() -> dict[str, Contract]:
    contracts: list[Contract] = [
        RegistryContract(),
        AccessContract(),
        ConsentContract(),
        GovernanceContract(),
        ExchangeContract(),
    ]
    return {c.name: c for c in contracts}


__all__ = [
    "ANCHOR_KINDS",
    "CONFIG_KEY",
    "CRL_PREFIX",
    "ORDER_TRANSITIONS",
    "SCOPES",
    "AccessContract",
    "ConsentContract",
    "Contract",
    "ExchangeContract",
    "GovernanceContract",
    "RegistryContract",
    "StateReader",
    "TxContext",
    "approve_config",
    "default_contracts",
    "function",
    "grant_allows",
]
