"""The hardened server settings in .streamlit/config.toml and the committed secrets sample."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_server_config_is_hardened():
    """XSRF on, loopback only, an upload limit, no error details, no usage statistics, viewer toolbar."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["address"] == "127.0.0.1"
    assert 0 < config["server"]["maxUploadSize"] <= 200
    assert config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["showErrorLinks"] is False  # no "Ask Google / Ask ChatGPT" on error boxes
    assert config["client"]["toolbarMode"] == "viewer"
    # CORS stays on (its default); nothing in the file may switch a protection off.
    assert config["server"].get("enableCORS", True) is True


def test_no_full_garbage_collection_after_every_run():
    """postScriptGC off: the collection held every rerun ~150 ms (see the comment in the file)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False


def test_no_source_file_watcher():
    """fileWatcherType none: the watcher's walk over every imported module delayed the first page ~0.7 s."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["fileWatcherType"] == "none"


def test_secrets_sample_has_every_auth_key_and_is_not_the_live_file():
    """The sample names every key st.login needs; secrets.toml itself is ignored by git."""
    sample = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8"))
    auth = sample["auth"]
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"} <= set(auth)
    assert auth["redirect_uri"].endswith("/oauth2callback") and auth["redirect_uri"].startswith("https://")
    assert auth["server_metadata_url"].endswith("/.well-known/openid-configuration")
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
