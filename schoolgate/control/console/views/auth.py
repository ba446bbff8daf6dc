# mypy: disallow-untyped-decorators=False
# (Django ships no type information: its view decorators are untyped to mypy.)
"""Sign-in and sign-out: by password, or through a configured OpenID provider (docs/console.md).

Both are rate limited and logged the same way (accounts.services) and both rotate the session.
An OIDC sign-in only ever reaches an existing, active roster person, and after the first only
from the provider account (issuer, `sub`) bound to them then (accounts.oidc.linking).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from schoolgate.control.accounts.oidc import attempts, flow, linking
from schoolgate.control.accounts.oidc.config import Provider
from schoolgate.control.accounts.oidc.errors import OidcError
from schoolgate.control.accounts.services import RateLimited, sign_in
from schoolgate.control.console.forms import LoginForm

BACKEND = "django.contrib.auth.backends.ModelBackend"


def safe_next(request: HttpRequest, target: str) -> str:
    """`target` if it stays on this host, else the dashboard: no open redirects."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(reverse("console:dashboard"))


def login_page(
    request: HttpRequest, *, form: Any = None, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "form": form or LoginForm(),
        "error": error,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "providers": settings.SCHOOLGATE_OIDC_PROVIDERS,
    }
    return render(request, "console/login.html", context, status=status)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except RateLimited as exc:
            error, status = str(exc), 429
        else:
            if user is not None:
                login(request, user)  # a new session id: no fixation
                return redirect(safe_next(request, request.POST.get("next", "")))
            error, status = "That username and password do not match an account.", 401
    elif request.method == "POST":
        status = 400
    return login_page(request, form=form, error=error, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("console:login")


def configured(provider_id: str) -> Provider:
    providers: tuple[Provider, ...] = settings.SCHOOLGATE_OIDC_PROVIDERS
    for provider in providers:
        if provider.id == provider_id:
            return provider
    raise Http404("no such sign-in provider")


def redirect_uri(request: HttpRequest, provider: Provider) -> str:
    """The callback the provider sends the browser back to; register exactly this URL."""
    path = reverse("console:oidc-callback", args=[provider.id])
    base = settings.SCHOOLGATE_OIDC_REDIRECT_BASE
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@require_POST
def oidc_start(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The "Sign in with …" button: off to the provider, with state, nonce and PKCE kept here."""
    provider = configured(provider_id)
    next_url = safe_next(request, request.POST.get("next", ""))
    try:
        attempts.check(request, provider)
        url = flow.begin(request.session, provider, redirect_uri(request, provider), next_url)
    except RateLimited as exc:
        return login_page(request, error=str(exc), status=429)
    except OidcError as exc:
        attempts.record(request, provider, succeeded=False, code=exc.code)
        return login_page(request, error=exc.message, status=exc.status)
    return redirect(url)


@require_GET
def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The provider's answer: check it, find the roster person, sign them in."""
    provider = configured(provider_id)
    who = ""
    try:
        attempts.check(request, provider)
        result = flow.finish(request.session, provider, request.GET)
        who = linking.identity(result.claims, provider)
        attempts.check(request, provider, who)
        user = linking.link(result.claims, provider)  # by bound subject, else binds it
    except RateLimited as exc:
        return login_page(request, error=str(exc), status=429)
    except OidcError as exc:
        attempts.record(request, provider, who=who, succeeded=False, code=exc.code)
        return login_page(request, error=exc.message, status=exc.status)
    attempts.record(request, provider, who=who, succeeded=True)
    login(request, user, backend=BACKEND)  # a new session id: no fixation
    return redirect(safe_next(request, result.next))
