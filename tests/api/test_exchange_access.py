"""Every gate, exchange and monitor endpoint: 401 without a token, 403 with a role that may not
call it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from silkgate.api import create_app
from silkgate.demo import init_consortium
from silkgate.gate import Platform

ROLES = ("admin", "data_owner", "data_consumer", "auditor", "regulator")
ANY = set(ROLES)
OWNER = {"admin", "data_owner"}
CONSUMER = {"admin", "data_consumer"}
PARTY = {"admin", "data_owner", "data_consumer"}
AUDIT = {"admin", "auditor", "regulator"}
REGULATOR = {"admin", "regulator"}
ADMIN = {"admin"}

PUBLISH = {
    "dataset_id": "x",
    "name": "X",
    "path": "x.csv",
    "policies": {"p": "permit(principal, action, resource);"},
}
OFFER = {"id": "o", "dataset_id": "x", "policy": {"purposes": ["research"]}}
REQUEST = {"dataset_id": "x", "requester": "sg-lionhealth", "purpose": "research"}
ENDPOINTS = [
    pytest.param("GET", "/api/v1/catalog", None, ANY, id="catalog"),
    pytest.param("GET", "/api/v1/catalog/dcat", None, ANY, id="dcat"),
    pytest.param("GET", "/api/v1/catalog/x", None, ANY, id="catalog-entry"),
    pytest.param("POST", "/api/v1/catalog", PUBLISH, OWNER, id="publish"),
    pytest.param("GET", "/api/v1/offers", None, ANY, id="offers"),
    pytest.param("POST", "/api/v1/offers", OFFER, OWNER, id="add-offer"),
    pytest.param("GET", "/api/v1/orders", None, ANY, id="orders"),
    pytest.param("GET", "/api/v1/orders/o-1", None, ANY, id="order"),
    pytest.param("POST", "/api/v1/orders/o-1/offer", None, OWNER, id="order-offer"),
    pytest.param("POST", "/api/v1/orders/o-1/agree", {}, OWNER, id="order-agree"),
    pytest.param("POST", "/api/v1/orders/o-1/finalize", None, PARTY, id="order-finalize"),
    pytest.param("POST", "/api/v1/orders/o-1/terminate", {"reason": "r"}, PARTY,
                 id="order-terminate"),
    pytest.param("POST", "/api/v1/orders/o-1/download", None, CONSUMER, id="download"),
    pytest.param("POST", "/api/v1/orders/o-1/compute", {"tasks": []}, CONSUMER, id="compute"),
    pytest.param("POST", "/api/v1/requests", REQUEST, CONSUMER, id="request"),
    pytest.param("GET", "/api/v1/decisions", None, ANY, id="decisions"),
    pytest.param("GET", "/api/v1/decisions/d-1", None, ANY, id="decision"),
    pytest.param("POST", "/api/v1/obligations/1/meet", {"evidence": "e"}, PARTY, id="meet"),
    pytest.param("GET", "/api/v1/usage", None, ANY, id="usage"),
    pytest.param("GET", "/api/v1/invoices", None, ANY, id="invoices"),
    pytest.param("POST", "/api/v1/invoices", {"party": "cn-gxic", "period": "2026-01"}, ADMIN,
                 id="invoice"),
    pytest.param("GET", "/api/v1/audit/datasets/x", None, AUDIT, id="audit-dataset"),
    pytest.param("GET", "/api/v1/audit/parties/cn-gxic", None, AUDIT, id="audit-party"),
    pytest.param("GET", "/api/v1/trust", None, ANY, id="trust"),
    pytest.param("POST", "/api/v1/trust/cn-gxic/signals", {"kind": "node_available"}, REGULATOR,
                 id="trust-signal"),
    pytest.param("GET", "/api/v1/ledger/blocks", None, ANY, id="ledger-blocks"),
    pytest.param("GET", "/api/v1/ledger/transactions/t/proof", None, ANY, id="ledger-proof"),
    pytest.param("GET", "/api/v1/monitor/alerts", None, AUDIT, id="monitor-alerts"),
]  # fmt: skip


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    init_consortium(platform)
    with TestClient(create_app(platform.settings, platform)) as test_client:
        yield test_client


@pytest.fixture
def tokens(platform: Platform) -> dict[str, str]:
    return {
        role: platform.accounts.issue(label=role, roles=[role], party_id="sg-lionhealth").secret
        for role in ROLES
    }


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS)
def test_without_token_is_401(
    client: TestClient, method: str, path: str, body: object, allowed: set[str]
) -> None:
    assert client.request(method, path, json=body).status_code == 401


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS)
def test_roles(
    client: TestClient, tokens: dict[str, str], method: str, path: str, body: object,
    allowed: set[str],
) -> None:  # fmt: skip
    for role in ROLES:
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        response = client.request(method, path, json=body, headers=headers)
        if role in allowed:
            assert response.status_code not in (401, 403), (role, response.text)
            assert response.status_code < 500, (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
