// The browser story of issue 6: an owner signs in with a password, configures the identity
// provider from a metadata URL, runs Test configuration, enables SCIM, a member signs in
// through SSO with the demo IdP, Require SSO refuses passwords, the members page and audit log
// show what happened, and signing out takes a button, not a link. Every page it visits is
// screenshot-checked at two widths.
//
//   node tests/browser/story.test.js --gatehouse build/gatehouse --out build/browser-screenshots
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { describe, before, after } = require('node:test');

const { Gateway } = require('./lib/gateway');
const { MetadataServer } = require('./lib/metadata_server');
const { launch, newContext, newPage, PageChecker } = require('./lib/browser');
const {
  storyArguments, storySteps, pageText, expectText, expectPath,
} = require('./lib/steps');

const { binary: BINARY, outDir: OUT_DIR } = storyArguments();

const ORG = 'acme';
const OWNER = { email: 'owner@acme.test', password: 'owner-password-4812' };
const BREAK_GLASS = { email: 'breakglass@acme.test', password: 'break-glass-password-7306' };
const MANAGER = { email: 'manager@acme.test', password: 'manager-password-5519' };
const ADA = { email: 'ada@acme.test', first: 'Ada', last: 'Lovelace' };
const TESTER = { email: 'tester@acme.test', first: 'Tess', last: 'Tester' };

const gateway = new Gateway(BINARY);
const checker = new PageChecker(OUT_DIR);
let metadata;
let browser;
let owner; // { context, page } of the owner signed in with a password
const { step, established } = storySteps({ checker, logs: [gateway] });

async function expectHeading(page, text) {
  try {
    await page.getByRole('heading', { level: 1, name: text }).first()
      .waitFor({ state: 'visible' });
  } catch {
    assert.fail(`expected a main heading ${text}; ${await pageText(page)}`);
  }
}

async function fillSignIn(page, who) {
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

// Fills the demo IdP's form (its Role is a select or a text field) and submits it.
async function fillDemoIdp(page, who, role) {
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('First name', { exact: true }).fill(who.first);
  await page.getByLabel('Last name', { exact: true }).fill(who.last);
  const roleField = page.getByLabel('Role', { exact: true });
  if (role !== undefined) {
    const tag = await roleField.evaluate((element) => element.tagName);
    if (tag === 'SELECT') await roleField.selectOption(role);
    else await roleField.fill(role);
  } else {
    await roleField.waitFor({ state: 'visible' });
  }
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signedInContext(who) {
  const context = await newContext(browser);
  const page = await newPage(context);
  await page.goto(`${gateway.baseUrl}/auth/login/${ORG}/?method=password`);
  await fillSignIn(page, who);
  await expectPath(page, `/organizations/${ORG}/`);
  return { context, page };
}

// The lowercase hex SHA-256 of the first certificate in the IdP metadata XML.
function certificateFingerprint(xml) {
  const match = /<(?:\w+:)?X509Certificate>([^<]+)</.exec(xml);
  assert.ok(match, 'the demo IdP metadata has no X509Certificate');
  const der = Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
  return crypto.createHash('sha256').update(der).digest('hex');
}

describe('Gatehouse in Chromium', { concurrency: 1 }, () => {
  before(async () => {
    const tls = gateway.makeKeys();
    gateway.cli(['org', 'create', ORG, '--name', 'Acme', '--owner-email', OWNER.email]);
    gateway.cli(['member', 'set-password', '--org', ORG, '--email', OWNER.email,
      '--password-stdin'], `${OWNER.password}\n`);
    gateway.cli(['member', 'add', '--org', ORG, '--email', BREAK_GLASS.email, '--role', 'owner',
      '--break-glass', '--password-stdin'], `${BREAK_GLASS.password}\n`);
    gateway.cli(['member', 'add', '--org', ORG, '--email', MANAGER.email, '--role', 'manager',
      '--password-stdin'], `${MANAGER.password}\n`);
    await gateway.start();
    metadata = new MetadataServer(tls, `${gateway.baseUrl}/demo-idp/metadata`);
    await metadata.listen();
    browser = await launch();
  });

  after(async () => {
    if (browser) await browser.close();
    if (metadata) await metadata.close();
    await gateway.stop();
    process.stdout.write(`# screenshots: ${checker.files.length} in ${OUT_DIR}\n`);
  });

  step('1. an owner signs in with a password, after a wrong one is refused', [], async () => {
    const context = await newContext(browser);
    const page = await newPage(context);
    const login = `${gateway.baseUrl}/auth/login/${ORG}/`;
    await page.goto(login);
    await checker.check(page, 'sign-in');

    await fillSignIn(page, { email: OWNER.email, password: 'not-the-password' });
    await expectText(page, 'The email or password is not right.');
    await checker.check(page, 'sign-in-refused');

    if (!(await page.getByLabel('Password', { exact: true }).count())) await page.goto(login);
    await fillSignIn(page, OWNER);
    await expectPath(page, `/organizations/${ORG}/`);
    owner = { context, page };
    established.add('owner');
  });

  step('2. the landing page shows the signed-in email and role', ['owner'], async () => {
    const { page } = owner;
    assert.equal((await page.locator('.member-email').innerText()).trim(), OWNER.email);
    assert.match(await page.locator('.member-role').innerText(), /owner/i);
    await checker.check(page, 'landing');
  });

  step('3. auth settings show the SP values and configure the IdP from a metadata URL',
    ['owner'], async () => {
      const { page } = owner;
      await page.goto(`${gateway.baseUrl}/settings/${ORG}/auth/`);
      await checker.check(page, 'auth-settings');

      // The SP values an IdP admin copies must be the ones the SP metadata publishes.
      const spMetadataUrl = (await page.locator('#sp-metadata-url').innerText()).trim();
      const spXml = await (await fetch(spMetadataUrl)).text();
      const entityId = /entityID="([^"]+)"/.exec(spXml)?.[1];
      const acs = /AssertionConsumerService[^>]*Location="([^"]+)"/.exec(spXml)?.[1];
      const sls = /SingleLogoutService[^>]*Location="([^"]+)"/.exec(spXml)?.[1];
      assert.equal((await page.locator('#sp-entity-id').innerText()).trim(), entityId);
      assert.equal((await page.locator('#sp-acs-url').innerText()).trim(), acs);
      assert.equal((await page.locator('#sp-sls-url').innerText()).trim(), sls);
      assert.equal((await page.locator('#sp-login-url').innerText()).trim(),
        `${gateway.baseUrl}/auth/login/${ORG}/`);
      assert.equal(await page.locator('#sp-relay-state').count(), 1);

      // A URL that answers 404 first: the error is shown next to the field.
      const field = page.getByLabel('Metadata URL', { exact: true });
      await field.fill(metadata.url.replace('/idp/metadata.xml', '/missing.xml'));
      await page.getByRole('button', { name: 'Get metadata', exact: true }).click();
      const fieldError = page.locator('#metadata-url-error, .field-error').first();
      try {
        await fieldError.waitFor({ state: 'visible' });
      } catch {
        assert.fail(`expected an error next to "Metadata URL"; ${await pageText(page)}`);
      }
      assert.ok((await fieldError.innerText()).trim().length > 0, 'the field error is empty');
      await checker.check(page, 'auth-settings-metadata-error');

      await page.getByLabel('Metadata URL', { exact: true }).fill(metadata.url);
      await page.getByRole('button', { name: 'Get metadata', exact: true }).click();
      try {
        await page.locator('.notice-ok').first().waitFor({ state: 'visible' });
      } catch {
        assert.fail(`expected a notice that the metadata was saved; ${await pageText(page)}`);
      }
      const idpXml = await (await fetch(`${gateway.baseUrl}/demo-idp/metadata`)).text();
      const idpEntityId = /entityID="([^"]+)"/.exec(idpXml)?.[1];
      await expectText(page, idpEntityId);
      const shown = (await page.locator('main').innerText()).replace(/[:\s]/g, '').toLowerCase();
      assert.ok(shown.includes(certificateFingerprint(idpXml)),
        `the IdP certificate's SHA-256 fingerprint is not on the page; ${await pageText(page)}`);
      await checker.check(page, 'auth-settings-configured');
      established.add('provider');
    });

  step('4. Test configuration signs in at the demo IdP and reports every check', ['provider'],
    async () => {
      const { page } = owner;
      await page.goto(`${gateway.baseUrl}/settings/${ORG}/auth/`);
      await page.getByRole('button', { name: 'Test configuration', exact: true }).click();
      await page.getByLabel('First name', { exact: true }).waitFor();
      await checker.check(page, 'demo-idp-test');
      await fillDemoIdp(page, TESTER);
      // The auto-submitting POST hands the response to the ACS, which shows the report.
      const heading = page.locator('h1').filter({ hasText: /test sign-in/i });
      try {
        await heading.waitFor({ state: 'visible', timeout: 15000 });
      } catch {
        assert.fail(`expected a heading with "test sign-in"; ${await pageText(page)}`);
      }
      assert.match(await heading.innerText(), /passed/i);
      const rows = page.locator('table.checks tbody tr[class^="check-"]:not(.check-detail)');
      const titles = (await rows.locator('td:first-child').allInnerTexts()).map((s) => s.trim());
      assert.ok(titles.length >= 10, `only ${titles.length} checks listed: ${titles}`);
      for (const expected of ['signature verified with a configured certificate',
        'not a replay', 'attributes mapped']) {
        assert.ok(titles.includes(expected), `check "${expected}" missing from ${titles}`);
      }
      assert.equal(await page.locator('table.checks tr.check-failed').count(), 0,
        `a check failed; ${await pageText(page)}`);
      const identity = await page.locator('table.identity').innerText();
      for (const value of [TESTER.email, TESTER.first, TESTER.last]) {
        assert.ok(identity.includes(value), `mapped identity lacks ${value}: ${identity}`);
      }
      await checker.check(page, 'test-report');
      established.add('tested');
    });

  step('5. Enable SCIM shows a token once, and it provisions a user', ['owner'], async () => {
    const { page } = owner;
    await page.goto(`${gateway.baseUrl}/settings/${ORG}/auth/`);
    await page.getByRole('button', { name: 'Enable SCIM', exact: true }).click();
    const tokenElement = page.locator('#scim-token');
    try {
      await tokenElement.waitFor({ state: 'visible' });
    } catch {
      assert.fail(`expected the new token in #scim-token; ${await pageText(page)}`);
    }
    const token = (await tokenElement.innerText()).trim();
    assert.ok(token.length >= 20, `the token "${token}" is too short`);
    await checker.check(page, 'auth-settings-scim-token');

    const baseUrl = `${gateway.baseUrl}/api/0/organizations/${ORG}/scim/v2`;
    const response = await fetch(`${baseUrl}/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: ADA.email,
        externalId: 'ada-0001',
        name: { givenName: ADA.first, familyName: ADA.last },
        emails: [{ value: ADA.email, type: 'work', primary: true }],
        active: true,
      }),
    });
    assert.equal(response.status, 201, `SCIM POST /Users answered: ${await response.text()}`);

    // The token was the answer to the POST; the page itself never shows it again.
    await page.goto(`${gateway.baseUrl}/settings/${ORG}/auth/`);
    assert.equal(await page.locator('#scim-token').count(), 0, 'the token is shown again');
    established.add('scim-user');
  });

  step('6. a member signs in through SSO with the demo IdP (without JavaScript)',
    ['provider', 'scim-user'], async () => {
      const context = await newContext(browser, { javaScriptEnabled: false });
      try {
        const page = await newPage(context);
        await page.goto(`${gateway.baseUrl}/auth/login/${ORG}/`);
        await page.getByLabel('First name', { exact: true }).waitFor();
        await checker.check(page, 'demo-idp-sign-in');
        await fillDemoIdp(page, ADA);
        // Without JavaScript the POST page waits for its button.
        await page.getByRole('button', { name: 'Continue', exact: true }).waitFor();
        await checker.check(page, 'demo-idp-post');
        await page.getByRole('button', { name: 'Continue', exact: true }).click();
        await expectPath(page, `/organizations/${ORG}/`);
        assert.equal((await page.locator('.member-email').innerText()).trim(), ADA.email);
        await checker.check(page, 'landing-member');
      } finally {
        await context.close();
      }

      const { page } = owner;
      await page.goto(`${gateway.baseUrl}/settings/${ORG}/members/`);
      const rows = page.locator('table.members tbody tr')
        .filter({ has: page.locator('.member-email', { hasText: ADA.email }) });
      assert.equal(await rows.count(), 1, `expected one ${ADA.email} row; ${await pageText(page)}`);
      const cells = (await rows.first().locator('td').allInnerTexts()).map((s) => s.trim());
      assert.match(cells[1], /active/i, `state of ${ADA.email}: ${cells[1]}`);
      assert.match(cells[2], /scim/i, `source of ${ADA.email}: ${cells[2]}`);
      assert.match(cells[5], /\S/, 'no linked SAML identity shown');
      assert.doesNotMatch(cells[5], /not linked/i, 'the SAML identity is not linked');
      established.add('sso');
    });

  step('7. Require SSO ends password sessions and refuses a manager\'s password',
    ['owner', 'tested'], async () => {
      const { page } = owner;
      page.on('dialog', (dialog) => dialog.accept());
      await page.goto(`${gateway.baseUrl}/settings/${ORG}/auth/`);
      await page.getByLabel(/^I understand/).check();
      await page.getByRole('button', { name: 'Turn on Require SSO', exact: true }).click();
      await expectText(page, /Require SSO is on/i);
      await checker.check(page, 'require-sso-on');

      const context = await newContext(browser);
      try {
        const refused = await newPage(context);
        await refused.goto(`${gateway.baseUrl}/auth/login/${ORG}/?method=password`);
        await checker.check(refused, 'sign-in-password-sso-required');
        // The page offers no password form to anyone but the break-glass owner; when it
        // does, the manager uses it, and a password posted without it is refused all the same.
        if (await refused.getByLabel('Password', { exact: true }).count()) {
          await fillSignIn(refused, MANAGER);
        }
        await expectText(refused, 'requires single sign-on');
        const posted = await context.request.post(
          `${gateway.baseUrl}/auth/login/${ORG}/?method=password`,
          { form: { email: MANAGER.email, password: MANAGER.password } });
        assert.match(await posted.text(), /requires single sign-on/,
          `a posted manager password was answered ${posted.status()} at ${posted.url()}`);
        assert.notEqual(new URL(refused.url()).pathname, `/organizations/${ORG}/`,
          'the manager was signed in');
        const me = await context.request.get(`${gateway.baseUrl}/api/0/organizations/${ORG}/me`);
        assert.notEqual(me.status(), 200, 'the manager has a session');
        await checker.check(refused, 'sign-in-sso-required');
      } finally {
        await context.close();
      }
      established.add('require-sso');
    });

  step('8. the members page and the audit log show the sign-ins', [], async () => {
    // Require SSO ended the owner's password session; the break-glass owner may still sign in.
    const { context, page } = await signedInContext(BREAK_GLASS);
    try {
      await page.goto(`${gateway.baseUrl}/settings/${ORG}/members/`);
      await expectHeading(page, 'Members');
      if (established.has('sso')) {
        assert.equal(await page.locator('table.members .member-email', { hasText: ADA.email })
          .count(), 1);
      }
      await checker.check(page, 'members');

      await page.goto(`${gateway.baseUrl}/settings/${ORG}/audit-log/`);
      await expectHeading(page, 'Audit log');
      const actions = async () => (await page.locator('table.audit tbody tr td:nth-child(2)')
        .allInnerTexts()).map((s) => s.trim());
      const all = await actions();
      assert.ok(all.includes('auth.password_sign_in'), `no password sign-in in ${all}`);
      await checker.check(page, 'audit-log');

      await page.getByLabel('Action', { exact: true }).fill('saml.');
      await page.getByRole('button', { name: 'Filter', exact: true }).click();
      await page.waitForURL(/action=saml/);
      const filtered = await actions();
      assert.ok(filtered.every((action) => action.startsWith('saml.')),
        `the saml. filter shows ${filtered}`);
      if (established.has('provider')) {
        assert.ok(filtered.includes('saml.provider.configure'),
          `no saml.provider.configure in ${filtered}; ${await pageText(page)}`);
      }
      if (established.has('sso')) {
        assert.ok(filtered.includes('saml.sign_in'), `no saml.sign_in in ${filtered}`);
      }
      await checker.check(page, 'audit-log-saml');
    } finally {
      await context.close();
    }
  });

  step('9. the sign-out address only asks; the Sign out button ends the session', [],
    async () => {
      const { context, page } = await signedInContext(BREAK_GLASS);
      try {
        // Any site can link to the sign-out address: opening it signs nobody out.
        await page.goto(`${gateway.baseUrl}/auth/logout/${ORG}/`);
        await expectHeading(page, 'Sign out of Acme?');
        await checker.check(page, 'sign-out-confirm');
        await page.getByRole('link', { name: 'Stay signed in', exact: true }).click();
        await expectPath(page, `/organizations/${ORG}/`);
        assert.equal((await page.locator('.member-email').innerText()).trim(),
          BREAK_GLASS.email);

        // The button in the page header posts the form with the session's CSRF token.
        await page.locator('header').getByRole('button', { name: 'Sign out', exact: true })
          .click();
        await expectText(page, 'You are not signed in.');
        await expectPath(page, `/organizations/${ORG}/`);
        await checker.check(page, 'signed-out');
        const me = await context.request.get(`${gateway.baseUrl}/api/0/organizations/${ORG}/me`);
        assert.equal(me.status(), 401, 'the session outlived the sign-out');
      } finally {
        await context.close();
      }
    });
});
