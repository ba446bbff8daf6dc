// A real OpenID Provider for schoolgate's OIDC sign-in tests: panva's certified `oidc-provider`,
// on 127.0.0.1 over plain HTTP, with static clients and test users read from a JSON file.
//
//   node provider.mjs config.json
//
// config.json: {"port": 0, "host": "127.0.0.1", "issuer_host": "127.0.0.1",
//               "clients": [{"client_id", "client_secret", "redirect_uris": [...]}],
//               "users": {"<login>": {"password": "...", "claims": {"email": ..., ...}}}}
//
// The sign-in page is ours and minimal (a login form that checks the password in the JSON file)
// so tests can drive it with a plain HTTP client; consent is granted for the requested OIDC
// scopes, as a district's own ("first-party") applications are in Google Workspace and Entra ID.
// When listening, one line goes to stdout: `listening <issuer>`. NEVER use this in production.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2] ?? 'config.example.json', 'utf8'));
const users = config.users ?? {};
const host = config.host ?? '127.0.0.1';

// A fresh signing key per run: the client must fetch it from jwks_uri, as with a real provider.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: randomBytes(8).toString('hex') };

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><h1>${escape(title)}</h1>${body}</body></html>`;
}

function loginForm(uid, error = '') {
  return page('Test provider sign-in', `${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
  <label for="login">Login</label><input id="login" name="login" autocomplete="username" required>
  <label for="password">Password</label><input id="password" type="password" name="password" required>
  <button type="submit">Sign in</button>
</form>`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

const server = createServer();
server.listen(config.port ?? 0, host, () => {
  const { port } = server.address();
  const issuer = `http://${config.issuer_host ?? host}:${port}`;

  const provider = new Provider(issuer, {
    clients: (config.clients ?? []).map((c) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...c,
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'hd', 'tid'],
    },
    // Google and Entra put the scope's claims in the ID token itself; so does this provider.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const user = users[sub];
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ ...user.claims, sub }) };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(new URL(req.url, issuer).pathname);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') return send(res, 200, loginForm(details.uid));
      const form = await readForm(req);
      const login = form.get('login') ?? '';
      const user = Object.hasOwn(users, login) ? users[login] : undefined;
      if (!user || user.password !== form.get('password')) {
        return send(res, 401, loginForm(details.uid, 'Wrong login or password.'));
      }
      return provider.interactionFinished(req, res, { login: { accountId: login } }, {
        mergeWithLastSubmission: false,
      });
    } catch (err) {
      return send(res, 400, page('Interaction failed', `<p>${escape(err.message)}</p>`));
    }
  });

  process.stdout.write(`listening ${issuer}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
