"""The committed secrets sample.

The server's hardening (config.toml) is tested on a running server: tests/e2e/test_server_behaviour.py.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_secrets_sample_has_every_auth_key_and_is_not_the_live_file():
    """The sample names every key st.login needs; secrets.toml itself is ignored by git."""
    sample = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8"))
    auth = sample["auth"]
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"} <= set(auth)
    assert auth["redirect_uri"].endswith("/oauth2callback") and auth["redirect_uri"].startswith("https://")
    assert auth["server_metadata_url"].endswith("/.well-known/openid-configuration")
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
