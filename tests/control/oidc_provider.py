"""panva's oidc-provider (scripts/oidc-provider) started for the OIDC tests, and a plain HTTP
client that follows its pages the way a browser without JavaScript would.

The npm packages are installed by the project's own lock file (`npm ci`, the same as
`make oidc-provider`) when missing; the tests are skipped only when Node.js itself is absent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

import pytest
import requests

HERE = Path(__file__).resolve().parents[2] / "scripts" / "oidc-provider"
PASSWORD = "provider-test-password"  # noqa: S105 - the test provider's users only
CLIENT_ID, CLIENT_SECRET = "schoolgate", "schoolgate-test-secret"
OTHER_ID, OTHER_SECRET = "other-app", "other-app-test-secret"


def node_ready() -> None:
    """Skip (loudly) without Node.js; install the pinned packages when they are missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(
            "NODE.JS IS NOT INSTALLED: the OIDC flow tests need `node` and `npm` on PATH to run "
            "the real OpenID provider in scripts/oidc-provider (Debian: apt-get install nodejs npm)"
        )
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"`npm ci` in {HERE} failed:\n{done.stdout}\n{done.stderr}")


_browsers: list[requests.Session] = []


def browser() -> requests.Session:
    """A new HTTP client for the console; the test's fixture ends it with `close_browsers()`."""
    session = requests.Session()
    _browsers.append(session)
    return session


def close_browsers() -> None:
    """Close the keep-alive connections of every client `browser()` handed out.

    An open one keeps a live-server request thread, and its database connection (CONN_MAX_AGE),
    waiting for a next request. `Session.close()` alone does not end it: urllib3 2 closes a
    pool's sockets only when the pool is collected, and each Response keeps its pool. A test
    frame kept by a reference cycle (a CliRunner result's traceback) kept them to the end of the
    run, and the test database could not be dropped ("is being accessed by other users")."""
    while _browsers:
        session = _browsers.pop()
        for adapter in session.adapters.values():
            if isinstance(adapter, requests.adapters.HTTPAdapter):
                pools = adapter.poolmanager.pools
                for key in pools.keys():  # noqa: SIM118 - the container refuses iteration
                    pools[key].close()
        session.close()


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen[str]
    stderr: list[str] = field(default_factory=list)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(config: dict[str, Any], workdir: Path) -> RunningProvider:
    """Start the provider with `config` (see provider.mjs) on a free loopback port."""
    path = workdir / "oidc-provider.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    process = subprocess.Popen(
        [shutil.which("node") or "node", str(HERE / "provider.mjs"), str(path)],
        cwd=HERE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    stderr: list[str] = []
    threading.Thread(target=lambda: stderr.extend(process.stderr), daemon=True).start()  # type: ignore[arg-type]
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout=30)
    if not lines or not lines[0].startswith("listening "):
        process.kill()
        pytest.fail(f"the OIDC provider did not start: {lines} {''.join(stderr)}")
    return RunningProvider(lines[0].split()[1], process, stderr)


def users(*entries: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {login: {"password": PASSWORD, "claims": claims} for login, claims in entries}


def clients(redirect_uris: list[str]) -> list[dict[str, Any]]:
    return [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris},
        {"client_id": OTHER_ID, "client_secret": OTHER_SECRET, "redirect_uris": redirect_uris},
    ]


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]
    buttons: list[str]


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower(), {}, []))
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms:
            self._button = True
            self.forms[-1].buttons.append("")

    def handle_data(self, data: str) -> None:
        if self._button:
            self.forms[-1].buttons[-1] += data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._button = False


def forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_with_button(html: str, label: str) -> Form:
    for form in forms(html):
        if label in form.buttons:
            return form
    raise AssertionError(f"no form with a {label!r} button in the page")


def follow(
    session: requests.Session, response: requests.Response, stop_at: str = ""
) -> requests.Response:
    """Follow redirects one by one, stopping before a URL that starts with `stop_at`."""
    for _ in range(20):
        if response.status_code not in (301, 302, 303, 307, 308):
            return response
        target = urljoin(response.url, response.headers["Location"])
        if stop_at and target.startswith(stop_at):
            response.headers["X-Stopped-At"] = target
            return response
        response = session.get(target, allow_redirects=False, timeout=30)
    raise AssertionError("too many redirects")


def provider_login(
    session: requests.Session, page: requests.Response, login: str, stop_at: str = ""
) -> requests.Response:
    """Fill in and submit the provider's sign-in form, then follow it back."""
    form = form_with_button(page.text, "Sign in")
    data = {**form.fields, "login": login, "password": PASSWORD}
    answer = session.post(
        urljoin(page.url, form.action), data=data, allow_redirects=False, timeout=30
    )
    return follow(session, answer, stop_at)


def token_for(
    issuer: str, client_id: str, secret: str, redirect_uri: str, login: str, nonce: str
) -> dict[str, Any]:
    """A real token response for `client_id`, got without the console (an attacker's own app
    registered at the same provider, or a token to tamper with)."""
    session = requests.Session()
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    query = {
        "client_id": client_id,
        "response_type": "code",
        "scope": "openid email profile",
        "redirect_uri": redirect_uri,
        "state": secrets.token_urlsafe(16),
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = follow(session, session.get(f"{issuer}/auth?{urlencode(query)}", allow_redirects=False))
    back = provider_login(session, page, login, stop_at=redirect_uri)
    code = requests.utils.urlparse(back.headers["X-Stopped-At"]).query
    params = dict(p.split("=", 1) for p in code.split("&"))
    response = requests.post(
        f"{issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": requests.utils.unquote(params["code"]),
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        auth=(client_id, secret),
        timeout=30,
    )
    response.raise_for_status()
    return dict(response.json())
