// Signing in with OpenID Connect in Chromium: an owner signs in with a password and configures
// the real npm oidc-provider (tests/interop/oidc_op.js, on loopback HTTPS with a test CA) on
// the auth settings page; a member provisioned over SCIM then signs in on the provider's own
// login page and lands in the organization as that member. Gatehouse's pages and the
// provider's are screenshot-checked at two widths.
//
//   node tests/browser/oidc.test.js --gatehouse build/gatehouse --out build/browser-screenshots
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const { describe, before, after } = require('node:test');

const { Gateway } = require('./lib/gateway');
const { OidcProvider } = require('./lib/oidc_provider');
const { launch, newContext, newPage, PageChecker } = require('./lib/browser');
const {
  storyArguments, storySteps, pageText, expectText, expectPath,
} = require('./lib/steps');

const { binary: BINARY, outDir } = storyArguments();
// Its own folder beside the story's screenshots, which PageChecker would otherwise clear.
const OUT_DIR = path.join(outDir, 'oidc');

const ORG = 'acme';
const OWNER = { email: 'owner@acme.test', password: 'owner-password-4812' };
const ADA = {
  sub: 'ada', email: 'ada@acme.test', email_verified: true,
  given_name: 'Ada', family_name: 'Lovelace', name: 'Ada Lovelace',
};
const CLIENT_ID = 'gatehouse-acme';
const CLIENT_SECRET = `secret-${crypto.randomBytes(18).toString('hex')}`;

// The provider's login page imports a Google web font; the browser context blocks it (and
// Chromium logs the blocked load). That is expected on the provider's page and only there.
const PROVIDER_PAGE_NOISE = [/fonts\.googleapis\.com/, /ERR_BLOCKED_BY_CLIENT/];

const gateway = new Gateway(BINARY);
const provider = new OidcProvider();
const checker = new PageChecker(OUT_DIR);
let browser;
let scimToken;
let owner; // { context, page } of the owner signed in with a password
const { step, established } = storySteps({ checker, logs: [gateway, provider], timeout: 60000 });

const callbackUrl = () => `${gateway.baseUrl}/auth/callback/${ORG}/`;

// The members page row of `email` as the owner sees it: { state, source } (or fails).
async function memberRow(page, email) {
  await page.goto(`${gateway.baseUrl}/settings/${ORG}/members/`);
  const rows = page.locator('table.members tbody tr')
    .filter({ has: page.locator('.member-email', { hasText: email }) });
  assert.equal(await rows.count(), 1, `expected one ${email} row; ${await pageText(page)}`);
  const row = rows.first();
  return {
    state: (await row.locator('td[data-label="State"]').innerText()).trim(),
    source: (await row.locator('td[data-label="Source"]').innerText()).trim(),
    identity: (await row.locator('td').nth(5).innerText()).trim(),
    text: (await row.innerText()).replace(/\s+/g, ' ').trim(),
  };
}

describe('OpenID Connect sign-in in Chromium', { concurrency: 1 }, () => {
  before(async () => {
    gateway.makeKeys();
    gateway.trustCa(provider.caCert);
    gateway.cli(['org', 'create', ORG, '--name', 'Acme', '--owner-email', OWNER.email]);
    gateway.cli(['member', 'set-password', '--org', ORG, '--email', OWNER.email,
      '--password-stdin'], `${OWNER.password}\n`);
    scimToken = gateway.cli(['scim-token', 'create', ORG, '--quiet',
      '--description', 'browser test']).trim();
    await gateway.start();
    await provider.start({
      clients: [{
        client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [callbackUrl()],
      }],
      accounts: [ADA],
      login: 'form',
    });
    browser = await launch();
  });

  after(async () => {
    if (browser) await browser.close();
    await provider.stop();
    await gateway.stop();
    process.stdout.write(`# screenshots: ${checker.files.length} in ${OUT_DIR}\n`);
  });

  step('1. the owner signs in with a password', [], async () => {
    const context = await newContext(browser);
    const page = await newPage(context);
    await page.goto(`${gateway.baseUrl}/auth/login/${ORG}/?method=password`);
    await page.getByLabel('Email', { exact: true }).fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectPath(page, `/organizations/${ORG}/`);
    assert.equal((await page.locator('.member-email').innerText()).trim(), OWNER.email);
    owner = { context, page };
    established.add('owner');
  });

  step('2. the owner configures the OpenID provider on the auth settings page', ['owner'],
    async () => {
      const { page } = owner;
      await page.goto(`${gateway.baseUrl}/settings/${ORG}/auth/`);
      const card = page.locator('#oidc-provider');
      await card.waitFor({ state: 'visible' });
      assert.equal((await page.locator('#oidc-callback-url').innerText()).trim(), callbackUrl(),
        'the Redirect URI shown is not the one the provider was registered with');
      await checker.check(page, 'auth-settings');

      const form = page.locator('#oidc-form');
      await form.getByLabel('Provider', { exact: true }).selectOption('oidc');
      assert.match(await form.locator('#oidc_kind option:checked').innerText(),
        /OpenID Connect/);
      await form.locator('#oidc_issuer').fill(provider.issuer);
      await form.locator('#oidc_client_id').fill(CLIENT_ID);
      await form.locator('#oidc_client_secret').fill(CLIENT_SECRET);
      await form.getByRole('button', { name: 'Save sign-in provider', exact: true }).click();

      try {
        await page.waitForURL((url) => url.searchParams.get('saved') === 'oidc');
      } catch {
        assert.fail(`expected ?saved=oidc after saving; ${await pageText(page)}`);
      }
      await expectText(page, 'The sign-in provider was checked and saved.');
      assert.equal((await page.locator('#oidc-current-issuer').innerText()).trim(),
        provider.issuer);
      assert.equal((await page.locator('#oidc-current-client-id').innerText()).trim(),
        CLIENT_ID);
      assert.equal((await page.locator('#oidc-callback-url').innerText()).trim(), callbackUrl());
      const html = await page.content();
      assert.ok(!html.includes(CLIENT_SECRET), 'the settings page shows the client secret');
      assert.equal(await page.locator('#oidc_client_secret').inputValue(), '',
        'the client secret field is filled in again');
      await checker.check(page, 'auth-settings-oidc-saved');
      established.add('provider');
    });

  step('3. SCIM provisions Ada, who is invited until she signs in', ['owner'], async () => {
    const response = await fetch(`${gateway.baseUrl}/api/0/organizations/${ORG}/scim/v2/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${scimToken}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: ADA.email,
        externalId: 'ada-0001',
        name: { givenName: ADA.given_name, familyName: ADA.family_name },
        emails: [{ value: ADA.email, type: 'work', primary: true }],
        active: true,
      }),
    });
    assert.equal(response.status, 201, `SCIM POST /Users answered: ${await response.text()}`);

    const row = await memberRow(owner.page, ADA.email);
    assert.match(row.state, /invited/i, `Ada's row: ${row.text}`);
    assert.match(row.source, /scim/i, `Ada's row: ${row.text}`);
    await checker.check(owner.page, 'members-ada-invited');
    established.add('scim-user');
  });

  step('4. Ada signs in on oidc-provider\'s own login page and lands as the SCIM member',
    ['provider', 'scim-user'], async () => {
      // Only this context accepts the provider's test-CA certificate; it is on loopback.
      const context = await newContext(browser, { ignoreHTTPSErrors: true });
      try {
        const page = await newPage(context);
        await page.goto(`${gateway.baseUrl}/auth/login/${ORG}/`);
        const issuer = new URL(provider.issuer);
        try {
          await page.waitForURL((url) => url.origin === issuer.origin &&
            url.pathname.startsWith('/interaction/'));
        } catch {
          assert.fail(`expected oidc-provider's login page at ${issuer.origin}; ` +
            `${await pageText(page)}`);
        }
        // oidc-provider's own development login page, not a page of Gatehouse's.
        assert.equal(await page.title(), 'Sign-in');
        await page.getByRole('heading', { level: 1, name: 'Sign-in' }).waitFor();
        const login = page.locator('form input[name="login"]');
        const password = page.locator('form input[name="password"]');
        await login.waitFor({ state: 'visible' });
        await checker.check(page, 'oidc-provider-sign-in', { ignore: PROVIDER_PAGE_NOISE });

        await login.fill(ADA.sub);
        await password.fill('any-password-the-dev-form-accepts');
        await page.getByRole('button', { name: 'Sign-in', exact: true }).click();

        await expectPath(page, `/organizations/${ORG}/`);
        assert.equal(new URL(page.url()).origin, gateway.baseUrl);
        assert.equal((await page.locator('.member-email').innerText()).trim(), ADA.email);
        assert.equal((await page.locator('.member-name').innerText()).trim(), ADA.name);
        assert.match(await page.locator('.member-role').innerText(), /member/i);
        await checker.check(page, 'landing-ada');

        const me = await context.request.get(`${gateway.baseUrl}/api/0/organizations/${ORG}/me`);
        assert.equal(me.status(), 200, `/me answered ${me.status()}: ${await me.text()}`);
        const body = await me.json();
        assert.ok(JSON.stringify(body).includes(ADA.email), `/me: ${JSON.stringify(body)}`);
      } finally {
        await context.close();
      }

      const row = await memberRow(owner.page, ADA.email);
      assert.match(row.state, /active/i, `Ada's row after her sign-in: ${row.text}`);
      assert.match(row.source, /scim/i, `Ada's row after her sign-in: ${row.text}`);
      assert.doesNotMatch(row.text, /never/i, `no last sign-in shown: ${row.text}`);
      await checker.check(owner.page, 'members-ada-active');
      established.add('oidc-sign-in');
    });

  step('5. the members page shows the identity Ada signed in with as linked', ['oidc-sign-in'],
    async () => {
      const row = await memberRow(owner.page, ADA.email);
      assert.doesNotMatch(row.identity, /not linked/i,
        `Ada signed in with OpenID Connect, yet her identity shows "${row.identity}"`);
      assert.match(row.identity, new RegExp(`${ADA.sub}\\s+OpenID`), `Ada's identity: ${row.identity}`);
    });
});
