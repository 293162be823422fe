#!/usr/bin/env node
// A real OpenID provider (npm oidc-provider) on loopback HTTPS for Gatehouse's OIDC tests,
// with a control API under /__control that picks the account to sign in, rotates the signing
// keys and makes the next ID token hostile. Usage: node oidc_op.js --config FILE, where FILE
// is the JSON that tests/support/oidc_op.cpp writes. Prints one line,
// {"ready":true,"issuer":"https://localhost:PORT"}, once it listens.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const https = require('https');

function readConfig(argv) {
  if (argv.length !== 2 || argv[0] !== '--config') throw new Error('usage: oidc_op.js --config FILE');
  const config = JSON.parse(fs.readFileSync(argv[1], 'utf8'));
  config.host ??= '127.0.0.1';
  config.issuer_host ??= 'localhost';
  config.port ??= 0;
  config.signing ??= ['RS256'];
  config.login ??= 'auto';
  if (!['auto', 'form'].includes(config.login)) throw new Error('login must be "auto" or "form"');
  if (!config.accounts?.length) throw new Error('at least one account is needed');
  if (!config.clients?.length) throw new Error('at least one client is needed');
  return config;
}

function newKeyPair(alg) {
  switch (alg) {
    case 'RS256':
      return crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'ES256':
      return crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    default:
      throw new Error(`unsupported signing algorithm ${alg}`);
  }
}

const newKid = () => crypto.randomBytes(12).toString('base64url');

// The provider builds its keystore once, at construction. To rotate keys while it runs, each
// signing algorithm gets one ExternalSigningKey (oidc-provider's public hook for keys held
// elsewhere) whose key pair and kid this script swaps; the provider reads both afresh for
// every token it signs. The JWKS the provider computed at start-up would then go stale, so
// /jwks is answered here from `published` instead.
function makeRotatingKeyClass(ExternalSigningKey) {
  return class RotatingKey extends ExternalSigningKey {
    #pair;

    constructor(alg) {
      super();
      this.alg = alg;
      this.replace();
    }

    replace() {
      this.#pair = newKeyPair(this.alg);
      this.kid = newKid();
    }

    keyObject() {
      return this.#pair.publicKey;
    }

    privateKey() {
      return this.#pair.privateKey;
    }

    // JWS wants ECDSA signatures as r||s, not DER.
    async sign(data) {
      return crypto.sign('sha256', data, { key: this.#pair.privateKey, dsaEncoding: 'ieee-p1363' });
    }

    publicJwk() {
      return { ...this.#pair.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: this.alg, use: 'sig' };
    }
  };
}

// Answers the login prompt as the selected account, in "auto" login mode, where no form is
// shown. Consent is never prompted for (see loadGrantForRequestedScopes).
async function finishLogin(provider, ctx, selectedSub) {
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.prompt.name !== 'login') ctx.throw(501, `no automatic answer to prompt ${details.prompt.name}`);
  const result = { login: { accountId: selectedSub } };
  ctx.status = 303;
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
}

// Consent never blocks a test: every client is treated as first-party, and its grant holds
// every scope it asks for.
async function loadGrantForRequestedScopes(ctx) {
  const { provider, client, session } = ctx.oidc;
  const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
  const grant = (grantId && (await provider.Grant.find(grantId)))
    || new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
  await grant.save();
  return grant;
}

function accountFinder(accounts) {
  const bySub = new Map(accounts.map((account) => [account.sub, account]));
  return async function findAccount(_ctx, sub) {
    const account = bySub.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { ...account };
      },
    };
  };
}

// ---- hostile ID tokens -------------------------------------------------------------------

const decodePart = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const encodePart = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

// Replaces one base64url character of the payload so that it still decodes to JSON with the
// same claim names: a validator must then refuse the token for its signature, not for
// garbage. A changed email is preferred, since that is what an attacker would change.
function flipOnePayloadCharacter(token) {
  const [header, payload, signature] = token.split('.');
  const original = decodePart(payload);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let fallback;
  for (let i = 0; i < payload.length - 1; i++) {
    for (const replacement of alphabet) {
      if (replacement === payload[i]) continue;
      const candidate = payload.slice(0, i) + replacement + payload.slice(i + 1);
      let claims;
      try {
        claims = decodePart(candidate);
      } catch {
        continue;
      }
      if (Object.keys(claims).join() !== Object.keys(original).join()) continue;
      const tampered = [header, candidate, signature].join('.');
      if (claims.email !== original.email) return tampered;
      fallback ??= tampered;
    }
  }
  if (!fallback) throw new Error('no single-character change keeps the payload readable');
  return fallback;
}

// Returns the ID token `token` changed as `mode` says. Claims changes are signed again with
// the provider's current key for the token's algorithm, so that only the changed claim is
// wrong; the modes about signatures are deliberately not validly signed.
async function mutateIdToken(jose, token, mode, { keys, clientSecret }) {
  const [headerPart, payloadPart] = token.split('.');
  const header = decodePart(headerPart);
  const claims = decodePart(payloadPart);
  const resign = (newHeader, newClaims, key) =>
    new jose.CompactSign(Buffer.from(JSON.stringify(newClaims))).setProtectedHeader(newHeader).sign(key);
  const current = keys.get(header.alg);
  const withCurrentKey = (newClaims) =>
    resign({ ...header, kid: current.kid }, newClaims, current.privateKey());

  switch (mode) {
    case 'wrong_nonce':
      return withCurrentKey({ ...claims, nonce: `not-${claims.nonce ?? 'a-nonce'}` });
    case 'wrong_audience':
      return withCurrentKey({ ...claims, aud: 'another-client' });
    case 'wrong_issuer':
      return withCurrentKey({ ...claims, iss: 'https://another-issuer.invalid' });
    case 'expired': {
      const twoHoursAgo = now() - 2 * 3600;
      return withCurrentKey({ ...claims, iat: twoHoursAgo, exp: twoHoursAgo });
    }
    case 'tampered':
      return flipOnePayloadCharacter(await withCurrentKey(claims));
    case 'alg_none':
      return `${encodePart({ alg: 'none' })}.${payloadPart}.`;
    case 'unknown_kid': {
      // A key pair that exists only here: its kid is never published in the JWKS.
      const stranger = newKeyPair(header.alg);
      return resign({ ...header, kid: newKid() }, claims, stranger.privateKey);
    }
    case 'hs256': {
      const { kid, ...rest } = header;
      return resign({ ...rest, alg: 'HS256' }, claims, Buffer.from(clientSecret, 'utf8'));
    }
    default:
      throw new Error(`unknown mutation ${mode}`);
  }
}

const MUTATIONS = new Set(['wrong_nonce', 'wrong_audience', 'expired', 'tampered', 'alg_none',
  'unknown_kid', 'hs256', 'wrong_issuer']);

// ---- control API ---------------------------------------------------------------------------

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

const isLoopback = (address) => ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(address);

function clientAuthMethodOf(ctx) {
  if (/^basic /i.test(ctx.get('authorization'))) return 'client_secret_basic';
  const body = ctx.oidc?.body ?? {};
  if (body.client_assertion) return 'client_assertion';
  if (body.client_secret) return 'client_secret_post';
  return 'none';
}

async function main() {
  const config = readConfig(process.argv.slice(2));
  const { default: Provider, ExternalSigningKey } = await import('oidc-provider');
  const jose = await import('jose');
  const RotatingKey = makeRotatingKeyClass(ExternalSigningKey);

  const keys = new Map(config.signing.map((alg) => [alg, new RotatingKey(alg)]));
  let published = [...keys.values()].map((key) => key.publicJwk());
  let selectedSub = config.accounts[0].sub;
  let pendingMutation = null;
  const tokenRequests = [];

  // The issuer names the port, so the server listens before the provider exists.
  const server = https.createServer({
    key: fs.readFileSync(config.tls.key),
    cert: fs.readFileSync(config.tls.cert),
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const issuer = `https://${config.issuer_host}:${server.address().port}`;

  const autoLoginPath = '/auto-login/';
  const provider = new Provider(issuer, {
    clients: config.clients.map((client) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: config.signing[0],
      ...client,
    })),
    jwks: { keys: [...keys.values()] },
    findAccount: accountFinder(config.accounts),
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified', 'hd'],
      profile: ['name', 'given_name', 'family_name', 'gatehouse_role', 'groups'],
    },
    // Put the scope claims in the ID token itself, as Google and Entra do, rather than only
    // at the userinfo endpoint.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    loadExistingGrant: loadGrantForRequestedScopes,
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    // Explicit lifetimes (in seconds) keep the provider from printing a notice per artifact
    // on standard output, where the fixture reads the ready line.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Grant: 3600,
      Session: 3600,
    },
    features: {
      devInteractions: { enabled: config.login === 'form' },
      externalSigningSupport: { enabled: true, ack: 'experimental-01' },
    },
    ...(config.login === 'auto'
      ? { interactions: { url: (_ctx, interaction) => `${autoLoginPath}${interaction.uid}` } }
      : {}),
  });

  provider.use(async (ctx, next) => {
    if (ctx.path.startsWith('/__control/')) {
      try {
        if (!isLoopback(ctx.request.socket.remoteAddress)) ctx.throw(403, 'loopback only');
        await control(ctx);
      } catch (error) {
        ctx.status = error.status ?? 500;
        ctx.body = { error: error.message };
      }
      return;
    }
    if (ctx.method === 'GET' && ctx.path === '/jwks') {
      ctx.type = 'application/jwk-set+json; charset=utf-8';
      ctx.body = { keys: published };
      return;
    }
    if (config.login === 'auto' && ctx.method === 'GET' && ctx.path.startsWith(autoLoginPath)) {
      await finishLogin(provider, ctx, selectedSub);
      return;
    }
    if (ctx.method === 'POST' && ctx.path === '/token') {
      await next();
      await afterToken(ctx);
      return;
    }
    await next();
  });

  async function afterToken(ctx) {
    tokenRequests.push({
      grant_type: ctx.oidc?.body?.grant_type ?? '',
      code_verifier: Boolean(ctx.oidc?.body?.code_verifier),
      client_auth_method: clientAuthMethodOf(ctx),
      status: ctx.status,
      error: ctx.body?.error ?? '',
    });
    if (!pendingMutation || typeof ctx.body?.id_token !== 'string') return;
    const mode = pendingMutation;
    pendingMutation = null;
    ctx.body = {
      ...ctx.body,
      id_token: await mutateIdToken(jose, ctx.body.id_token, mode, {
        keys,
        clientSecret: ctx.oidc.client.clientSecret,
      }),
    };
  }

  async function control(ctx) {
    const route = `${ctx.method} ${ctx.path}`;
    if (route === 'GET /__control/requests') {
      ctx.body = tokenRequests;
      return;
    }
    if (ctx.method !== 'POST') ctx.throw(404);
    const body = await readJson(ctx.req);
    switch (ctx.path) {
      case '/__control/login':
        if (!config.accounts.some((account) => account.sub === body.sub)) ctx.throw(404, 'no such account');
        selectedSub = body.sub;
        ctx.body = { sub: selectedSub };
        return;
      case '/__control/rotate': {
        const previous = published;
        for (const key of keys.values()) key.replace();
        const fresh = [...keys.values()].map((key) => key.publicJwk());
        published = body.keep_old ? [...fresh, ...previous] : fresh;
        ctx.body = { kids: fresh.map((jwk) => jwk.kid) };
        return;
      }
      case '/__control/mutate':
        if (!MUTATIONS.has(body.mode)) ctx.throw(400, 'unknown mode');
        pendingMutation = body.mode;
        ctx.body = { mode: pendingMutation };
        return;
      default:
        ctx.throw(404);
    }
  }

  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ ready: true, issuer })}\n`);
}

main().catch((error) => {
  process.stderr.write(`oidc_op: ${error.stack || error}\n`);
  process.exit(1);
});
