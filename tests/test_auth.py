"""Protected access (ui/auth.py): the gate in front of every page, through AppTest on the real app,
and the password-hash format."""

from __future__ import annotations

import hmac

import pytest
import streamlit as st
from streamlit import config
from streamlit.testing.v1 import AppTest

from tests.pagetest import APP
from ui import auth

OIDC = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-cookie-secret-for-tests-only",
    "client_id": "client",
    "client_secret": "secret",
    "server_metadata_url": "https://idp.example.com/.well-known/openid-configuration",
}
# Small scrypt cost in tests (the format carries n, r, p); the default cost is tested once below.
RIGHT = "correct horse battery staple"
STORED = auth.make_password_hash(RIGHT, n=2**10)


@pytest.fixture()
def server_address():
    """Set `server.address` for one test and restore it afterwards."""
    before = config.get_option("server.address")

    def set_to(value):
        config.set_option("server.address", value)

    yield set_to
    config.set_option("server.address", before)


def app(db, secrets=None, user=None) -> AppTest:
    """The real app on workspace `db` (not run yet). Secrets are always given, so a developer's own
    ~/.streamlit/secrets.toml never decides a test."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["workspace_path"] = str(db)
    at.secrets = secrets if secrets is not None else {"unrelated": "value"}
    if user is not None:
        at.user = user
    return at


def shows_data(at: AppTest) -> bool:
    return bool(at.metric) or bool(at.get("plotly_chart")) or bool(at.dataframe)


def overview_renders(at: AppTest) -> None:
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers"] == "6,000"
    assert at.get("plotly_chart")


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "error", "warning", "caption", "text", "title")
             for e in at.get(kind) if isinstance(getattr(e, "value", None), str)]
    return "\n".join(parts)


def button_labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


# -- OIDC -------------------------------------------------------------------------------------
def test_oidc_not_logged_in_shows_no_data_and_a_login_button(demo_copy, monkeypatch):
    at = app(demo_copy, {"auth": OIDC, "access": {"allowed_domains": ["example.com"]}},
             user={"is_logged_in": False}).run()
    assert not at.exception, at.exception
    assert not shows_data(at)
    assert "Log in" in button_labels(at)
    # the button starts Streamlit's login flow with the default provider
    calls = []
    monkeypatch.setattr(st, "login", lambda provider=None: calls.append(provider))
    at.button(key="auth_login_default").click().run()
    assert calls == [None]
    assert not shows_data(at)


def test_oidc_named_provider_from_secrets(demo_copy, monkeypatch):
    secrets = {"auth": {**OIDC, "google": {"client_id": "c"}},
               "access": {"allowed_emails": ["a@b.com"], "oidc_provider": "google"}}
    at = app(demo_copy, secrets, user={"is_logged_in": False}).run()
    calls = []
    monkeypatch.setattr(st, "login", lambda provider=None: calls.append(provider))
    at.button(key="auth_login_google").click().run()
    assert calls == ["google"]


@pytest.mark.parametrize("access, email", [
    ({"allowed_emails": ["Ann.Lee@Client.COM"]}, "ann.lee@client.com"),
    ({"allowed_domains": ["example.com"]}, "Bob@EXAMPLE.com"),
])
def test_oidc_allowed_email_sees_the_overview(demo_copy, access, email):
    at = app(demo_copy, {"auth": OIDC, "access": access},
             user={"is_logged_in": True, "email": email, "name": "Someone"}).run()
    overview_renders(at)
    assert at.sidebar.button(key="auth_logout").label == "Log out"


@pytest.mark.parametrize("access, email", [
    ({"allowed_emails": ["ann@client.com"]}, "bob@client.com"),
    ({"allowed_domains": ["example.com"]}, "eve@notexample.com"),  # exact domain, not a suffix
    ({"allowed_domains": ["example.com"]}, "eve@mail.example.com"),  # no subdomains
    ({"allowed_domains": ["example.com"]}, "eve@example.com.evil.org"),
    ({}, "anyone@example.com"),  # no allow-list lets nobody in
])
def test_oidc_disallowed_email_is_refused(demo_copy, access, email):
    at = app(demo_copy, {"auth": OIDC, "access": access},
             user={"is_logged_in": True, "email": email}).run()
    assert not at.exception, at.exception
    assert not shows_data(at)
    assert "may not open this app" in texts(at)
    assert "Log out" in button_labels(at)
    # the e-mail (identity-provider data) is shown as plain text, never as Markdown
    assert [t.value for t in at.text] == [f"Logged in as: {email}"]


def test_oidc_unverified_email_is_refused(demo_copy):
    at = app(demo_copy, {"auth": OIDC, "access": {"allowed_domains": ["example.com"]}},
             user={"is_logged_in": True, "email": "ann@example.com", "email_verified": False}).run()
    assert not shows_data(at)
    assert "may not open this app" in texts(at)


def test_oidc_log_out_returns_to_the_login_screen(demo_copy):
    at = app(demo_copy, {"auth": OIDC, "access": {"allowed_domains": ["example.com"]}},
             user={"is_logged_in": True, "email": "ann@example.com"}).run()
    overview_renders(at)
    at.sidebar.button(key="auth_logout").click().run()
    assert not at.exception, at.exception
    assert at.user.get("is_logged_in") is False
    assert not shows_data(at)
    assert "Log in" in button_labels(at)


# -- password ---------------------------------------------------------------------------------
def enter_password(at: AppTest, password: str) -> AppTest:
    at.text_input(key="auth_password").input(password)
    return at.button(key="auth_open").click().run()


def test_password_wrong_is_refused_and_right_lets_in(demo_copy, server_address):
    server_address("0.0.0.0")  # a password protects a server open to the network
    at = app(demo_copy, {"access": {"password_hash": STORED}}).run()
    assert not at.exception, at.exception
    assert not shows_data(at)
    assert at.text_input(key="auth_password").proto.type == at.text_input(key="auth_password").proto.PASSWORD

    enter_password(at, "wrong password")
    assert not at.exception, at.exception
    assert not shows_data(at)
    assert [e.value for e in at.error] == ["That password is not right."]
    assert auth.PASSWORD_OK not in at.session_state

    enter_password(at, RIGHT)
    overview_renders(at)
    assert "auth_password" not in at.session_state or not at.session_state["auth_password"], \
        "the password does not stay in the session"
    # remembered for the session: a rerun stays in
    at.run()
    overview_renders(at)
    # logging out asks again
    at.sidebar.button(key="auth_logout").click().run()
    assert not shows_data(at)
    assert at.text_input(key="auth_password")


def test_wrong_passwords_slow_the_next_attempts_per_session_and_per_address(demo_copy, server_address, monkeypatch):
    """Issue 12 §5: from the fifth wrong password on, the next attempt waits 1, 2, 4, 8 ...
    seconds, says so, and is refused unchecked meanwhile (even with the right password); a new
    session from the same address waits as well. The clock is faked: nothing sleeps."""
    server_address("0.0.0.0")
    now = [1000.0]
    monkeypatch.setattr(auth, "clock", lambda: now[0])
    monkeypatch.setattr(auth, "_BY_ADDRESS", {})
    checked = []
    verify = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda p, s: checked.append(p) or verify(p, s))
    at = app(demo_copy, {"access": {"password_hash": STORED}}).run()
    for n in range(1, 5):
        enter_password(at, f"guess {n}")
        assert [e.value for e in at.error] == ["That password is not right."] and not at.warning
    expected = {5: "1 second", 6: "2 seconds", 7: "4 seconds", 8: "8 seconds"}
    for n, wait in expected.items():
        enter_password(at, f"guess {n}")
        assert [e.value for e in at.error] == ["That password is not right."]
        assert [w.value for w in at.warning] == [f"Too many wrong passwords: try again in {wait}."]
        now[0] += 0.5  # too early: refused without checking, even the right password
        enter_password(at, RIGHT)
        assert not shows_data(at) and checked[-1] == f"guess {n}" and not at.error
        assert at.warning[0].value.startswith("Too many wrong passwords: try again in")
        now[0] += float(wait.split()[0]) - 0.5
    assert len(checked) == 8
    # another session from the same address waits for what is left of the last wait (8 seconds)
    now[0] -= 3
    other = app(demo_copy, {"access": {"password_hash": STORED}}).run()
    assert [w.value for w in other.warning] == ["Too many wrong passwords: try again in 3 seconds."]
    assert not other.error
    enter_password(other, RIGHT)
    assert not shows_data(other) and len(checked) == 8
    now[0] += 3  # the wait is over: the right password opens the app
    enter_password(other, RIGHT)
    overview_renders(other)
    assert auth.PASSWORD_FAILURES not in other.session_state and not auth._BY_ADDRESS


def test_password_session_ends_when_the_hash_changes(demo_copy):
    at = app(demo_copy, {"access": {"password_hash": STORED}}).run()
    enter_password(at, RIGHT)
    overview_renders(at)
    at.secrets = {"access": {"password_hash": auth.make_password_hash("a new password", n=2**10)}}
    at.run()
    assert not shows_data(at)


def test_password_malformed_hash_shows_no_data(demo_copy):
    at = app(demo_copy, {"access": {"password_hash": "plain-text-password"}}).run()
    assert not at.exception, at.exception
    assert not shows_data(at)
    assert "not in the expected format" in texts(at)


def test_oidc_wins_over_a_password(demo_copy):
    at = app(demo_copy, {"auth": OIDC, "access": {"password_hash": STORED, "allowed_emails": ["a@b.c"]}},
             user={"is_logged_in": False}).run()
    assert "Log in" in button_labels(at)
    assert not at.text_input


# -- nothing configured -----------------------------------------------------------------------
@pytest.mark.parametrize("address", ["localhost", "127.0.0.1", "::1"])
def test_nothing_configured_on_localhost_is_allowed_and_says_so(demo_copy, server_address, address):
    server_address(address)
    at = app(demo_copy).run()
    overview_renders(at)
    captions = [c.value for c in at.sidebar.caption]
    assert "Local only: no login is configured, so the app serves this computer only." in captions


@pytest.mark.parametrize("address", ["0.0.0.0", "", None, "192.168.1.20"])
def test_nothing_configured_beyond_localhost_is_refused(demo_copy, server_address, address):
    server_address(address)
    at = app(demo_copy).run()
    assert not at.exception, at.exception
    assert not shows_data(at)
    assert "no login is configured" in texts(at)
    assert "python -m ui.auth hash" in texts(at)


def test_no_secrets_file_means_nothing_configured(monkeypatch, server_address):
    class Missing:
        def to_dict(self):
            from streamlit.errors import StreamlitSecretNotFoundError
            raise StreamlitSecretNotFoundError("No secrets found.", error_id="no-secrets-found")

    monkeypatch.setattr(st, "secrets", Missing())
    assert auth.read_secrets() == {}
    server_address("0.0.0.0")
    assert auth.mode({}) == "closed"
    server_address("localhost")
    assert auth.mode({}) == "local"


def test_unreadable_secrets_file_is_not_mistaken_for_none(monkeypatch):
    class Broken:
        def to_dict(self):
            from streamlit.errors import StreamlitSecretNotFoundError
            raise StreamlitSecretNotFoundError("Error parsing secrets file", error_id="secrets-parse-error")

    monkeypatch.setattr(st, "secrets", Broken())
    assert auth.read_secrets() is None


# -- password hashes --------------------------------------------------------------------------
def test_hash_format_round_trip():
    stored = auth.make_password_hash("s3cret", salt=bytes(range(16)))
    name, n, r, p, salt_hex, hash_hex = stored.split("$")
    assert (name, int(n), int(r), int(p)) == ("scrypt", auth.SCRYPT_N, auth.SCRYPT_R, auth.SCRYPT_P)
    assert bytes.fromhex(salt_hex) == bytes(range(16))
    assert len(bytes.fromhex(hash_hex)) == 32
    assert "s3cret" not in stored
    assert auth.parse_password_hash(stored) == (auth.SCRYPT_N, 8, 1, bytes(range(16)), bytes.fromhex(hash_hex))
    assert auth.verify_password("s3cret", stored)
    assert not auth.verify_password("s3cret ", stored)
    assert not auth.verify_password("S3cret", stored)


def test_hash_is_salted():
    a, b = auth.make_password_hash("same", n=2**10), auth.make_password_hash("same", n=2**10)
    assert a != b
    assert auth.verify_password("same", a) and auth.verify_password("same", b)


def test_hash_matches_scrypt_known_answer():
    # RFC 7914 §12 test vector: scrypt("password", "NaCl", N=1024, r=8, p=16, dkLen=64)
    expected = ("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    stored = f"scrypt$1024$8$16${b'NaCl'.hex()}${expected}"
    assert auth.verify_password("password", stored)
    assert not auth.verify_password("passwore", stored)


def test_verify_uses_a_constant_time_compare(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert auth.verify_password(RIGHT, STORED)
    assert not auth.verify_password("nope", STORED)
    assert len(calls) == 2


@pytest.mark.parametrize("stored", [
    "", "plain", "pbkdf2$1$2$3$00$00", "scrypt$1000$8$1$00ff$00ff",  # n not a power of two
    "scrypt$1024$8$1$$00ff", "scrypt$1024$8$1$zz$00ff", "scrypt$1024$8$1$00ff",
])
def test_malformed_hashes_never_match(stored):
    assert not auth.verify_password("", stored)
    assert not auth.verify_password("plain", stored)
    with pytest.raises(ValueError):
        auth.parse_password_hash(stored)


def test_empty_password_cannot_be_hashed():
    with pytest.raises(ValueError):
        auth.make_password_hash("")


def test_hash_command_prints_a_line_for_secrets(monkeypatch, capsys):
    answers = iter(["workshop-2026", "workshop-2026"])
    monkeypatch.setattr(auth.getpass, "getpass", lambda prompt="": next(answers))
    assert auth.main(["hash"]) == 0
    out = capsys.readouterr().out
    assert "workshop-2026" not in out
    line = out.splitlines()[1]
    assert out.splitlines()[0] == "[access]"
    stored = line.split('"')[1]
    assert line == f'password_hash = "{stored}"'
    assert auth.verify_password("workshop-2026", stored)


def test_hash_command_refuses_a_mistyped_repeat(monkeypatch, capsys):
    answers = iter(["one", "two"])
    monkeypatch.setattr(auth.getpass, "getpass", lambda prompt="": next(answers))
    assert auth.main(["hash"]) == 1
    assert "password_hash" not in capsys.readouterr().out


# -- helpers ----------------------------------------------------------------------------------
def test_email_allow_list():
    access = {"allowed_emails": ["Ann@Client.com"], "allowed_domains": ["@Example.com"]}
    assert auth.email_allowed("ann@client.com", access)
    assert auth.email_allowed("x@example.COM", access)
    assert not auth.email_allowed("bob@client.com", access)
    assert not auth.email_allowed("x@sub.example.com", access)
    assert not auth.email_allowed("example.com", access)
    assert not auth.email_allowed(None, access)
    assert not auth.email_allowed("a@example.com", {})
    assert auth.email_allowed("a@example.com", {"allowed_domains": "example.com"})  # a single string


def test_oidc_providers():
    assert auth.oidc_providers({"auth": OIDC}) == [None]
    assert auth.oidc_providers({"auth": {"cookie_secret": "x", "google": {}, "okta": {}}}) == ["google", "okta"]
    assert auth.oidc_providers({"auth": OIDC, "access": {"oidc_provider": "okta"}}) == ["okta"]


def test_upload_limit_follows_the_setting():
    before = config.get_option("server.maxUploadSize")
    try:
        config.set_option("server.maxUploadSize", 50)
        assert auth.upload_limit_mb() == 50
    finally:
        config.set_option("server.maxUploadSize", before)
    assert auth.upload_limit_mb() == before
