"""Sign-in through a district's OpenID Provider (Google Workspace, Microsoft Entra ID).

`config` reads the providers from the environment (pure, no Django); `discovery` fetches and
caches each provider's metadata and keys; `flow` runs the Authorization Code flow with PKCE,
state and nonce; `tokens` checks the ID token; `linking` turns its claims into an existing,
active roster person and the console user that acts as them, and binds the provider's subject
(issuer, `sub`) to that user on first sign-in. Roles still come from the roster.
"""
