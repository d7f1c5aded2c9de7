"""Signing in to the dashboard: public pages, data pages behind the token cookie, roles."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from silkgate.api import create_app
from silkgate.demo import init_consortium
from silkgate.gate import Platform
from silkgate.web import AREAS

DATA_PAGES = [a.href for a in AREAS if not a.public]
ORIGIN = "http://testserver"


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    init_consortium(platform)
    with TestClient(create_app(platform.settings, platform), follow_redirects=False) as test_client:
        yield test_client


def _token(platform: Platform, role: str, party: str | None = "cn-gxic") -> str:
    return platform.accounts.issue(label=f"a {role}", roles=[role], party_id=party).secret


def _sign_in(client: TestClient, token: str, next_path: str = "/") -> None:
    answer = client.post("/login", data={"token": token, "next": next_path},
                         headers={"Origin": ORIGIN})  # fmt: skip
    assert answer.status_code == 303


@pytest.mark.parametrize("path", ["/", "/catalog", "/login"])
def test_overview_catalog_and_login_are_public(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert 'id="sign-in"' in answer.text


@pytest.mark.parametrize("path", [*DATA_PAGES, "/decisions/d-1", "/ledger/tx/t-1",
                                  "/audit/dataset/x.csv"])  # fmt: skip
def test_data_pages_without_a_token_redirect_to_the_login_form(
    client: TestClient, path: str
) -> None:
    answer = client.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", DATA_PAGES)
def test_data_pages_show_to_a_signed_in_auditor(
    client: TestClient, platform: Platform, path: str
) -> None:
    _sign_in(client, _token(platform, "auditor", party=None))
    answer = client.get(path)
    assert answer.status_code == 200
    assert 'id="viewer"' in answer.text


def test_login_sets_an_httponly_strict_cookie_and_returns_to_the_page(
    client: TestClient, platform: Platform
) -> None:
    token = _token(platform, "data_consumer")
    answer = client.post("/login", data={"token": token, "next": "/orders"},
                         headers={"Origin": ORIGIN})  # fmt: skip
    cookie = answer.headers["set-cookie"].lower()
    assert answer.headers["location"] == "/orders"
    assert "httponly" in cookie
    assert "samesite=strict" in cookie


def test_the_cookie_holds_a_session_not_the_token(client: TestClient, platform: Platform) -> None:
    token = _token(platform, "auditor", party=None)
    _sign_in(client, token)
    assert token not in " ".join(client.cookies.values())
    assert client.get("/orders").status_code == 200


def test_a_copied_cookie_stops_working_when_its_holder_signs_out(
    client: TestClient, platform: Platform
) -> None:
    _sign_in(client, _token(platform, "auditor", party=None))
    copied = dict(client.cookies)

    assert client.post("/logout", headers={"Origin": ORIGIN}).status_code == 303
    client.cookies.clear()
    client.cookies.update(copied)

    answer = client.get("/orders")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


def test_an_unknown_token_is_refused_with_401(client: TestClient) -> None:
    answer = client.post("/login", data={"token": "sg_0_nope"}, headers={"Origin": ORIGIN})
    assert answer.status_code == 401
    assert "unknown API token" in answer.text
    assert "set-cookie" not in answer.headers


def test_a_revoked_token_signs_its_holder_out(client: TestClient, platform: Platform) -> None:
    issued = platform.accounts.issue(label="gone", roles=["auditor"])
    _sign_in(client, issued.secret)
    platform.accounts.revoke(issued.record.id)
    assert client.get("/orders").status_code == 303


def test_a_login_posted_from_another_site_is_refused(
    client: TestClient, platform: Platform
) -> None:
    answer = client.post("/login", data={"token": _token(platform, "auditor")},
                         headers={"Origin": "https://evil.example"})  # fmt: skip
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_login_never_redirects_off_site(
    client: TestClient, platform: Platform, target: str
) -> None:
    answer = client.post("/login", data={"token": _token(platform, "auditor"), "next": target},
                         headers={"Origin": ORIGIN})  # fmt: skip
    assert answer.headers["location"] == "/"


def test_the_audit_page_needs_an_auditor_or_regulator(
    client: TestClient, platform: Platform
) -> None:
    _sign_in(client, _token(platform, "data_consumer"))
    answer = client.get("/audit")
    assert answer.status_code == 403
    assert "needs role auditor or regulator" in answer.text


def test_a_party_less_token_without_an_audit_role_sees_no_party_pages(
    client: TestClient, platform: Platform
) -> None:
    _sign_in(client, _token(platform, "data_owner", party=None))
    assert client.get("/orders").status_code == 403


def test_sign_out_clears_the_cookie(client: TestClient, platform: Platform) -> None:
    _sign_in(client, _token(platform, "auditor"))
    answer = client.post("/logout", headers={"Origin": ORIGIN})
    assert answer.status_code == 303
    assert client.get("/orders").status_code == 303


def test_an_unknown_page_is_a_404_page(client: TestClient) -> None:
    answer = client.get("/nowhere")
    assert answer.status_code == 404
    assert 'id="not-found"' in answer.text
