// Times the Node.js SAML service-provider libraries on the Responses acs_bench wrote:
// @node-saml/node-saml (validatePostResponseAsync) and samlify (parseLoginResponse).
// Each must accept the valid Response and reject a tampered copy before it is timed.
// Prints one JSON line per library and variant. Usage: node peers.js DIR [runs] [seconds]
'use strict';
const fs = require('fs');
const path = require('path');
const { SAML } = require('@node-saml/node-saml');
const samlify = require('samlify');

const dir = process.argv[2] || 'bench-out';
const runs = Number(process.argv[3] || 3);
const seconds = Number(process.argv[4] || 2);
const sp = JSON.parse(fs.readFileSync(path.join(dir, 'sp.json'), 'utf8'));
const cert = fs.readFileSync(path.join(dir, 'idp.crt'), 'utf8');
const day = 24 * 3600 * 1000;

function tamper(base64) {
  const xml = Buffer.from(base64, 'base64').toString('utf8');
  return Buffer.from(xml.replace('@contoso.example', '@evil.example.xx'), 'utf8').toString('base64');
}

function nodeSaml(variant) {
  const saml = new SAML({
    callbackUrl: sp.acs_url,
    entryPoint: 'https://login.microsoftonline.example/bench/saml2',
    issuer: sp.entity_id,
    audience: sp.entity_id,
    idpCert: cert,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: variant === 'both',
    acceptedClockSkewMs: day,
    validateInResponseTo: 'never',
  });
  return (response) => saml.validatePostResponseAsync({ SAMLResponse: response });
}

// samlify validates against the SAML XSD only through a plug-in; none is installed, which
// makes samlify faster than it is in a deployment that validates schemas.
samlify.setSchemaValidator({ validate: () => Promise.resolve('skipped') });

function samlifyParser(variant) {
  const binding = samlify.Constants.namespace.binding;
  const idp = samlify.IdentityProvider({
    entityID: sp.idp_entity_id,
    signingCert: cert,
    singleSignOnService: [{ Binding: binding.redirect, Location: 'https://login.microsoftonline.example/bench/saml2' }],
    wantMessageSigned: variant === 'both',
  });
  const serviceProvider = samlify.ServiceProvider({
    entityID: sp.entity_id,
    assertionConsumerService: [{ Binding: binding.post, Location: sp.acs_url }],
    wantAssertionsSigned: true,
    wantMessageSigned: variant === 'both',
    clockDrifts: [-day, day],
  });
  return (response) => serviceProvider.parseLoginResponse(idp, 'post', { body: { SAMLResponse: response } });
}

async function rejects(validate, response) {
  try {
    await validate(response);
    return false;
  } catch (e) {
    return true;
  }
}

async function time(validate, response) {
  const rates = [];
  for (let run = 0; run < runs; run++) {
    let iterations = 0;
    const started = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < seconds) {
      for (let i = 0; i < 10; i++) await validate(response);
      iterations += 10;
      elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    }
    rates.push(iterations / elapsed);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

async function main() {
  const peers = { 'node-saml': nodeSaml, samlify: samlifyParser };
  for (const variant of ['assertion', 'both']) {
    const response = fs.readFileSync(path.join(dir, variant + '.b64'), 'utf8').trim();
    for (const [name, make] of Object.entries(peers)) {
      const validate = make(variant);
      try {
        await validate(response);
      } catch (e) {
        throw new Error(`${name} rejects the valid ${variant} Response: ${e.message}`);
      }
      if (!(await rejects(validate, tamper(response)))) {
        throw new Error(`${name} accepts a tampered ${variant} Response`);
      }
      const perSecond = await time(validate, response);
      console.log(JSON.stringify({ bench: 'peer', peer: name, variant, per_second: perSecond, runs }));
    }
  }
}

main().catch((e) => {
  console.error('peers.js: FAILED: ' + e.message);
  process.exit(1);
});
