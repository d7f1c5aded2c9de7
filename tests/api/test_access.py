"""Every non-public endpoint: 401 without a token, 403 with a wrong role, 2xx with a right one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from silkgate.api import create_app
from silkgate.demo import init_consortium
from silkgate.gate import Platform

ROLES = ("admin", "data_owner", "data_consumer", "auditor", "regulator")
ANY = set(ROLES)
ADMIN = {"admin"}

NEW_PARTY = {"id": "my-k", "name": "K Sdn Bhd", "jurisdiction": "MY"}
ENDPOINTS = [
    pytest.param("GET", "/api/v1/whoami", None, ANY, 200, id="whoami"),
    pytest.param("GET", "/api/v1/parties", None, ANY, 200, id="list-parties"),
    pytest.param("GET", "/api/v1/parties/cn-gxic", None, ANY, 200, id="get-party"),
    pytest.param("POST", "/api/v1/parties", NEW_PARTY, ADMIN, 201, id="add-party"),
    pytest.param("GET", "/api/v1/datasets", None, ANY, 200, id="list-datasets"),
    pytest.param("GET", "/api/v1/tokens", None, ADMIN, 200, id="list-tokens"),
    pytest.param("POST", "/api/v1/tokens", {"label": "t", "roles": ["auditor"]}, ADMIN, 201,
                 id="create-token"),
]  # fmt: skip


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    init_consortium(platform)
    with TestClient(create_app(platform.settings, platform)) as test_client:
        yield test_client


@pytest.fixture
def tokens(platform: Platform) -> dict[str, str]:
    return {role: platform.accounts.issue(label=role, roles=[role]).secret for role in ROLES}


@pytest.mark.parametrize("path", ["/health", "/version", "/openapi.json", "/"])
def test_public_endpoints_need_no_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(("method", "path", "body", "allowed", "ok"), ENDPOINTS)
def test_without_token_is_401(
    client: TestClient, method: str, path: str, body: object, allowed: set[str], ok: int
) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "body", "allowed", "ok"), ENDPOINTS)
def test_roles(
    client: TestClient,
    tokens: dict[str, str],
    method: str,
    path: str,
    body: object,
    allowed: set[str],
    ok: int,
) -> None:
    for role in ROLES:
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        response = client.request(method, path, json=body, headers=headers)
        expected = ok if role in allowed else 403
        if response.status_code == 409:  # the admin already added the party in this loop
            continue
        assert response.status_code == expected, (role, response.text)


def test_unknown_token_is_401(client: TestClient) -> None:
    response = client.get("/api/v1/parties", headers={"Authorization": "Bearer sg_x_y"})
    assert response.status_code == 401
    assert response.json()["detail"] == "unknown API token"


def test_revoked_token_is_401(client: TestClient, tokens: dict[str, str]) -> None:
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    created = client.post(
        "/api/v1/tokens", json={"label": "tmp", "roles": ["auditor"]}, headers=admin
    )
    secret, token_id = created.json()["token"], created.json()["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=admin).status_code == 200
    response = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_token_list_never_shows_secrets(client: TestClient, tokens: dict[str, str]) -> None:
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    listed = client.get("/api/v1/tokens", headers=admin).text
    assert not any(secret in listed for secret in tokens.values())


def test_bad_party_is_422_naming_the_field(client: TestClient, tokens: dict[str, str]) -> None:
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    body = {"id": "xx-1", "name": "X", "jurisdiction": "XX"}
    response = client.post("/api/v1/parties", json=body, headers=admin)
    assert response.status_code == 422
    assert "jurisdiction" in response.text


def test_unknown_party_is_404(client: TestClient, tokens: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {tokens['auditor']}"}
    response = client.get("/api/v1/parties/nobody", headers=headers)
    assert response.status_code == 404
    assert response.json() == {"error": "NotFound", "detail": "party: no party 'nobody'",
                               "field": "party"}  # fmt: skip


# the data areas need a signed-in token: tests/web/test_session.py
@pytest.mark.parametrize("area", ["", "catalog"])
def test_every_public_dashboard_area_renders(client: TestClient, area: str) -> None:
    response = client.get(f"/{area}")
    assert response.status_code == 200
    assert 'aria-current="page"' in response.text


def test_unknown_dashboard_page_is_404(client: TestClient) -> None:
    assert client.get("/nowhere").status_code == 404
