#!/usr/bin/env node
// Issues one SAML Response with Auth0's samlp/saml packages (xml-crypto for signatures,
// xml-encryption for EncryptedAssertion) and prints it base64-encoded, for Gatehouse's
// interop tests. Usage: node node_idp.js --key F --cert F --issuer X --request-id X
// --audience X --recipient X --email X [--sign-response] [--sign-assertion] [--encrypt-for F]
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const samlp = require('samlp');

function parseArguments(argv) {
  const flags = new Set(['--sign-response', '--sign-assertion']);
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (flags.has(name)) {
      args[name.slice(2)] = true;
    } else if (name.startsWith('--') && i + 1 < argv.length) {
      args[name.slice(2)] = argv[++i];
    } else {
      throw new Error('unexpected argument ' + name);
    }
  }
  for (const required of ['key', 'cert', 'issuer', 'request-id', 'audience', 'recipient', 'email']) {
    if (!args[required]) throw new Error('missing --' + required);
  }
  return args;
}

// samlp maps a user to claims through a profile mapper; this one sends the attribute names
// of Gatehouse's "generic" preset and an email NameID.
function genericProfileMapper(user) {
  return {
    getClaims: () => ({ email: user.email, firstName: user.firstName, lastName: user.lastName }),
    getNameIdentifier: () => ({
      nameIdentifier: user.email,
      nameIdentifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    }),
  };
}

function main() {
  const args = parseArguments(process.argv.slice(2));
  const options = {
    issuer: args.issuer,
    key: fs.readFileSync(args.key, 'ascii'),
    cert: fs.readFileSync(args.cert, 'ascii'),
    audience: args.audience,
    recipient: args.recipient,
    destination: args.recipient,
    inResponseTo: args['request-id'],
    lifetimeInSeconds: 300,
    signatureAlgorithm: 'rsa-sha256',
    digestAlgorithm: 'sha256',
    signResponse: Boolean(args['sign-response']),
    signAssertion: Boolean(args['sign-assertion']),
    profileMapper: genericProfileMapper,
  };
  if (args['encrypt-for']) {
    const spCertificate = fs.readFileSync(args['encrypt-for'], 'ascii');
    // saml encrypts to the public key and names the certificate in the EncryptedKey.
    options.encryptionCert = spCertificate;
    options.encryptionPublicKey = crypto.createPublicKey(spCertificate).export({ type: 'spki', format: 'pem' });
    // xml-encryption refuses AES-CBC as insecure unless told otherwise, so use GCM.
    options.encryptionAlgorithm = 'http://www.w3.org/2009/xmlenc11#aes256-gcm';
  }
  const user = { email: args.email, firstName: 'Ada', lastName: 'Lovelace' };
  samlp.getSamlResponse(options, user, (error, response) => {
    if (error) {
      process.stderr.write(String(error.stack || error) + '\n');
      process.exit(1);
    }
    process.stdout.write(Buffer.from(response, 'utf8').toString('base64'));
  });
}

main();
