"""Login end to end: a real ``streamlit run`` with ``[auth]`` against a fake OIDC provider.

The provider (tests/e2e/fake_oidc.py) runs on loopback in this process: discovery, JWKS,
authorize (logs in ``idp.next_user`` without a form) and token (an RS256 ID token with the
nonce). Streamlit does the real work: the redirect, the code exchange over HTTP, the ID-token
check (signature, issuer, audience, nonce) and the signed cookie. The secrets file lives in a
temporary HOME (``~/.streamlit/secrets.toml``), so the repository's own files stay untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.fake_oidc import FakeOIDC
from tests.support.browser import ServerError, free_port, screenshot, start_streamlit, wait_for_app

ROLES = """
[users]
"adam@aalborg.dk" = "admin"
"vera@aalborg.dk" = "viewer"
"""


def _nav(page) -> str:
    return (
        page.locator("[data-testid='stSidebarNav']").inner_text()
        if page.locator("[data-testid='stSidebarNav']").count()
        else ""
    )


@pytest.fixture
def login_server(demo_db: Path, tmp_path: Path):
    """(base URL, fake provider) for a server whose secrets configure login with the fake provider."""
    port = free_port()
    redirect = f"http://127.0.0.1:{port}/oauth2callback"
    with FakeOIDC("trappetrin-e2e", "e2e-hemmelighed", redirect) as idp:
        home = tmp_path / "home"
        (home / ".streamlit").mkdir(parents=True)
        (home / ".streamlit" / "secrets.toml").write_text(
            "[auth]\n"
            f'redirect_uri = "{redirect}"\n'
            'cookie_secret = "e2e-cookie-secret-0123456789abcdef"\n'
            f'client_id = "{idp.client_id}"\n'
            f'client_secret = "{idp.client_secret}"\n'
            f'server_metadata_url = "{idp.metadata_url}"\n',
            encoding="utf-8",
        )
        roles = tmp_path / "roles.toml"
        roles.write_text(ROLES, encoding="utf-8")
        db = tmp_path / "trappetrin.duckdb"
        shutil.copy(demo_db, db)  # DuckDB allows one process per file: never share the session's
        try:
            server = start_streamlit(
                log_path=tmp_path / "streamlit.log",
                port=port,
                env={"TRAPPETRIN_DB": str(db), "TRAPPETRIN_ROLES": str(roles), "HOME": str(home)},
            )
        except ServerError as exc:
            pytest.fail(str(exc), pytrace=False)
        try:
            yield server.url, idp, server
        finally:
            server.stop()


def _log_in(page, idp, base: str, user: dict) -> None:
    idp.next_user = user
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{base}/**", timeout=30_000)
    wait_for_app(page, settle_ms=500)


def test_login_roles_and_logout_against_a_fake_oidc_provider(browser, login_server):
    base, idp, server = login_server
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="da-DK")
    page = context.new_page()
    try:
        page.goto(f"{base}/eksport")  # a deep link before login shows the login screen, not the page
        wait_for_app(page, settle_ms=0)
        app = page.locator("[data-testid='stApp']")
        expect(page.get_by_role("button", name="Log ind")).to_be_visible()
        expect(app).not_to_contain_text("Hent farvelisten")
        assert _nav(page) == "", "no page names before login (not even Streamlit's pages/ folder listing)"

        _log_in(page, idp, base, {"email": "adam@aalborg.dk", "name": "Adam Admin"})
        expect(app).to_contain_text("Logget ind som adam@aalborg.dk · administrator", timeout=30_000)
        assert "/token" in idp.requests and "/jwks" in idp.requests, "the ID token was fetched and verified"
        for title in ("Oversigt", "Scenarie", "Eksport", "Revisionsspor"):
            expect(page.locator("[data-testid='stSidebarNav']")).to_contain_text(title)
        screenshot(page, "login-admin")

        page.get_by_role("button", name="Log ud").click()
        expect(page.get_by_role("button", name="Log ind")).to_be_visible(timeout=30_000)
        expect(app).not_to_contain_text("Logget ind som")

        _log_in(page, idp, base, {"email": "vera@aalborg.dk", "name": "Vera Viewer"})
        expect(app).to_contain_text("Logget ind som vera@aalborg.dk · læser", timeout=30_000)
        nav = page.locator("[data-testid='stSidebarNav']")
        expect(nav).to_contain_text("Oversigt")
        for title in ("Scenarie", "Eksport", "Revisionsspor"):
            expect(nav).not_to_contain_text(title)
        page.goto(f"{base}/eksport")  # not registered for a viewer: the default page opens instead
        wait_for_app(page, settle_ms=0)
        expect(app).to_contain_text("Logget ind som vera@aalborg.dk", timeout=30_000)
        expect(app).not_to_contain_text("Hent farvelisten")
        expect(page.get_by_role("dialog")).to_contain_text("Page not found")  # Streamlit's own notice
        page.keyboard.press("Escape")

        page.get_by_role("button", name="Log ud").click()
        expect(page.get_by_role("button", name="Log ind")).to_be_visible(timeout=30_000)
        _log_in(page, idp, base, {"email": "fremmed@example.com", "name": "Fremmed"})
        expect(app).to_contain_text("har ingen rolle i Trappetrin", timeout=30_000)
        expect(app).not_to_contain_text("Demodata")
    except Exception:
        screenshot(page, "FAILED-login")
        print(server.log()[-4000:])
        raise
    finally:
        context.close()
