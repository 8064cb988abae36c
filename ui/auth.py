"""Protected access: who may see customer data in this session.

`gate()` runs in app.py before any page. It picks one of three modes from the secrets
(`.streamlit/secrets.toml`, read defensively: no file is the normal case):

1. OIDC: an `[auth]` section (Streamlit's `st.login`, needs `streamlit[auth]`). The user logs in
   with the identity provider and their e-mail must be on the allow-list
   (`[access] allowed_emails` / `allowed_domains`; no allow-list lets nobody in).
2. Password: `[access] password_hash` (and no `[auth]`). A salted scrypt hash made with
   `python -m ui.auth hash`; the password itself is never stored. From the fifth wrong password
   on, each next attempt waits twice as long (see :func:`delay_after`), and the screen says so.
3. Neither: the app opens only when the server listens on this computer (`server.address`
   localhost / 127.0.0.1 / ::1, the default in `.streamlit/config.toml`), and says so.

Everything else stops the script before the navigation, so no page and no data is shown.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import math
import secrets as _random
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

import streamlit as st

from analysis.i18n import N_, t, tn

LOCAL_ADDRESSES = frozenset({"localhost", "127.0.0.1", "::1"})
PASSWORD_OK = "auth_password_ok"  # session_state: fingerprint of the hash the session proved
PASSWORD_FAILURES = "auth_password_failures"  # session_state: (wrong passwords, clock() of the last)

# Wrong passwords slow the next attempt down: from FREE_ATTEMPTS of them on, the next attempt waits
# 2**(wrong - FREE_ATTEMPTS) seconds after the last one (1, 2, 4, 8 ... at most MAX_DELAY_SECONDS),
# counted per session and per client address (a new session does not start afresh). Both counts
# start again at the right password; an address's is also forgotten FORGET_SECONDS after its last
# wrong one (a workshop room behind one address must not stay locked out by its typos).
# A waiting attempt is refused before the password is even checked.
FREE_ATTEMPTS = 5
MAX_DELAY_SECONDS = 15 * 60
FORGET_SECONDS = 60 * 60
clock = time.monotonic  # tests replace it

# scrypt cost: n=2**14, r=8, p=1 takes about 16 MB and 50 ms here (RFC 7914 §2; OWASP's minimum
# for scrypt is n=2**17 with r=8 at 128 MB, too heavy for a 2-core workshop laptop per attempt).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_MAXMEM = 256 * 1024 * 1024

HOW_TO_CONFIGURE = N_("""
This app is served to other computers, but no login is configured, so it does not show any data.
Ask the person who runs it to do one of these, then restart the app:

- **A password for a workshop**: run `python -m ui.auth hash`, type the password, and paste the
  line it prints into `.streamlit/secrets.toml` under `[access]` as `password_hash = "..."`.
- **Company login (OIDC)**: add an `[auth]` section for your identity provider and
  `[access] allowed_emails` or `allowed_domains` to `.streamlit/secrets.toml`.
- **Only this computer**: start the app with `make run` (it listens on localhost only).
""")


# -- password hashes --------------------------------------------------------------------------
def make_password_hash(
    password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P, salt: bytes | None = None
) -> str:
    """`scrypt$<n>$<r>$<p>$<salt_hex>$<hash_hex>`: a salted scrypt hash (RFC 7914) of `password`."""
    if not password:
        raise ValueError("The password is empty.")
    salt = _random.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def parse_password_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    """(n, r, p, salt, digest) from the stored format; ValueError when it is not that format."""
    parts = str(stored).strip().split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("expected scrypt$<n>$<r>$<p>$<salt_hex>$<hash_hex>")
    n, r, p = (int(x) for x in parts[1:4])
    salt, digest = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or not salt or not digest:
        raise ValueError("n must be a power of two, r and p positive, salt and hash non-empty")
    return n, r, p, salt, digest


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches the stored hash; constant-time comparison of the digests."""
    try:
        n, r, p, salt, digest = parse_password_hash(stored)
        candidate = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=len(digest)
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(candidate, digest)


def _fingerprint(stored: str) -> str:
    """Tie a session's login to the configured hash, so changing the password ends old logins."""
    return hashlib.sha256(str(stored).strip().encode("utf-8")).hexdigest()


# -- slowing down guessing ----------------------------------------------------------------------
def delay_after(wrong: int) -> float:
    """Seconds the next attempt waits after the last of ``wrong`` wrong passwords in a row."""
    if wrong < FREE_ATTEMPTS:
        return 0.0
    return float(min(2 ** min(wrong - FREE_ATTEMPTS, 30), MAX_DELAY_SECONDS))


_BY_ADDRESS: dict[str, tuple[int, float]] = {}  # client address -> (wrong passwords, clock() of the last)
_BY_ADDRESS_LOCK = threading.Lock()


def _address() -> str:
    """The client's address (None on this computer; AppTest has none either)."""
    try:
        address = st.context.ip_address
    except Exception:  # no browser (bare mode)  # noqa: BLE001
        address = None
    return address if isinstance(address, str) and address else "local"


def _wait_for(record: tuple[int, float] | None, now: float) -> float:
    return 0.0 if record is None else max(0.0, record[1] + delay_after(record[0]) - now)


def wait_seconds(now: float) -> float:
    """How long this session must wait before its next attempt (0: it may try now)."""
    with _BY_ADDRESS_LOCK:
        by_address = _BY_ADDRESS.get(_address())
    return max(_wait_for(st.session_state.get(PASSWORD_FAILURES), now), _wait_for(by_address, now))


def _count_wrong(now: float) -> None:
    wrong, _ = st.session_state.get(PASSWORD_FAILURES, (0, now))
    st.session_state[PASSWORD_FAILURES] = (wrong + 1, now)
    key = _address()
    with _BY_ADDRESS_LOCK:
        for address, (_, last) in list(_BY_ADDRESS.items()):
            if now - last > FORGET_SECONDS:
                del _BY_ADDRESS[address]
        wrong, _ = _BY_ADDRESS.get(key, (0, now))
        _BY_ADDRESS[key] = (wrong + 1, now)


def _forget_wrong() -> None:
    st.session_state.pop(PASSWORD_FAILURES, None)
    with _BY_ADDRESS_LOCK:
        _BY_ADDRESS.pop(_address(), None)


def _too_many(seconds: float) -> str:
    n = max(1, math.ceil(seconds))
    return tn("Too many wrong passwords: try again in {n} second.", "Too many wrong passwords: try again in {n} "
              "seconds.", n)


# -- settings ---------------------------------------------------------------------------------
def upload_limit_mb() -> int:
    """The largest file the Data page accepts, in MB (`server.maxUploadSize`, enforced by Streamlit)."""
    return int(st.get_option("server.maxUploadSize"))


def read_secrets() -> dict[str, Any] | None:
    """The secrets as a plain dict: {} when there is no secrets file, None when one is unreadable."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError as exc:  # StreamlitSecretNotFoundError subclasses it
        if getattr(exc, "error_id", None) == "no-secrets-found":
            return {}
        return None


def _section(secrets: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = secrets.get(name)
    return value if isinstance(value, Mapping) else {}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    return [str(v).strip().lower() for v in value if str(v).strip()]


def mode(secrets: Mapping[str, Any]) -> str:
    """"oidc", "password", "local" (nothing configured, localhost) or "closed"."""
    if _section(secrets, "auth"):
        return "oidc"
    if _section(secrets, "access").get("password_hash"):
        return "password"
    address = (st.get_option("server.address") or "").strip().strip("[]").lower()
    return "local" if address in LOCAL_ADDRESSES else "closed"


def email_allowed(email: str | None, access: Mapping[str, Any]) -> bool:
    """Case-insensitive: the exact address is listed, or the part after '@' is a listed domain."""
    email = (email or "").strip().lower()
    if "@" not in email:
        return False
    domain = email.rsplit("@", 1)[1]
    domains = [d.lstrip("@") for d in _as_list(access.get("allowed_domains"))]
    return email in _as_list(access.get("allowed_emails")) or domain in domains


def oidc_providers(secrets: Mapping[str, Any]) -> list[str | None]:
    """Provider names for `st.login`: `[access] oidc_provider`, else the `[auth]` default (None)
    when it has a client_id, else each named `[auth.<name>]` section."""
    chosen = _section(secrets, "access").get("oidc_provider")
    if chosen:
        return [str(chosen)]
    auth = _section(secrets, "auth")
    if "client_id" in auth:
        return [None]
    named = [name for name, value in auth.items() if isinstance(value, Mapping)]
    return named or [None]


# -- the gate ---------------------------------------------------------------------------------
def _show(screen) -> None:
    """Draw `screen` as the only, hidden page and end the run. Drawing inside a page keeps its
    widgets' ids stable from run to run (a form drawn before st.navigation loses its first submit),
    and the sidebar then offers no pages."""
    st.navigation([st.Page(screen, title=t("One-to-One"), url_path="login", default=True)], position="hidden").run()
    st.stop()


def gate() -> None:
    """Let this session through to the pages, or explain why not and `st.stop()`."""
    secrets = read_secrets()
    if secrets is None:
        _show(_unreadable_secrets)
    current = mode(secrets)
    if current == "oidc":
        _oidc(secrets)
    elif current == "password":
        _password(str(_section(secrets, "access")["password_hash"]))
    elif current == "local":
        st.sidebar.caption(t("Local only: no login is configured, so the app serves this computer only."))
    else:
        _show(_closed)


def _unreadable_secrets() -> None:
    st.error(t("The secrets file (.streamlit/secrets.toml) could not be read, so the app shows no data. "
               "Ask the person who runs the app to fix it."))


def _closed() -> None:
    st.title(t("One-to-One"))
    st.warning(t("Login required"))
    st.markdown(t(HOW_TO_CONFIGURE))


def _oidc(secrets: Mapping[str, Any]) -> None:
    user = st.user
    if user.get("is_logged_in") is not True:
        def log_in() -> None:
            st.title(t("One-to-One"))
            st.write(t("This app shows customer data, so please log in with your company account first."))
            for provider in oidc_providers(secrets):
                label = t("Log in") if provider is None else t("Log in with {provider}", provider=provider)
                if st.button(label, key=f"auth_login_{provider or 'default'}", type="primary"):
                    st.login(provider)

        _show(log_in)
    access = _section(secrets, "access")
    if user.get("email_verified") is False or not email_allowed(user.get("email"), access):
        def refused() -> None:
            st.title(t("One-to-One"))
            st.error(t("This account may not open this app. Ask the app's administrator to add it, "
                       "or log out and log in with another account."))
            st.text(t("Logged in as: {email}", email=user.get("email") or t("(no e-mail address)")))
            st.button(t("Log out"), key="auth_logout_refused", on_click=st.logout)

        _show(refused)
    st.sidebar.button(t("Log out"), key="auth_logout", on_click=st.logout)


def _log_out_password() -> None:
    st.session_state.pop(PASSWORD_OK, None)


def _password(stored: str) -> None:
    try:
        parse_password_hash(stored)
    except ValueError:
        def malformed() -> None:
            st.error(t("The password hash in .streamlit/secrets.toml is not in the expected format, so the "
                       "app shows no data. Make a new one with `python -m ui.auth hash`."))

        _show(malformed)
    if st.session_state.get(PASSWORD_OK) == _fingerprint(stored):
        st.sidebar.button(t("Log out"), key="auth_logout", on_click=_log_out_password)
        return

    def ask() -> None:
        st.title(t("One-to-One"))
        st.write(t("This app shows customer data. Enter the workshop password to open it."))
        with st.form("auth_password_form", clear_on_submit=True):
            password = st.text_input(t("Password"), type="password", key="auth_password")
            submitted = st.form_submit_button(t("Open"), type="primary", key="auth_open")
        now = clock()
        if submitted and not wait_seconds(now):
            if verify_password(password or "", stored):
                st.session_state[PASSWORD_OK] = _fingerprint(stored)
                _forget_wrong()
                st.rerun()
            _count_wrong(now)
            st.error(t("That password is not right."))
        if wait := wait_seconds(now):
            st.warning(_too_many(wait))

    _show(ask)


# -- command line: python -m ui.auth hash ------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] != ["hash"]:
        print("usage: python -m ui.auth hash   (asks for the password, prints the line for secrets.toml)")
        return 2
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Again: "):
        print("The two passwords differ; nothing printed.", file=sys.stderr)
        return 1
    try:
        line = make_password_hash(password)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    print("[access]")
    print(f'password_hash = "{line}"')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
