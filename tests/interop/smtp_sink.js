#!/usr/bin/env node
// A real SMTP server (npm smtp-server) on loopback for Gatehouse's mail tests: it keeps every
// message it accepts as a .eml file in a folder, next to a .json file with the envelope, and
// can refuse on purpose. Prints the port it listens on as its first line of output.
//
// Usage: node smtp_sink.js --dir DIR [options]
//   --temp-fail-data K     answer the first K DATA with 451 (temporary), then accept
//   --temp-fail-rcpt K     answer the first K RCPT TO with 451, then accept
//   --reject-rcpt          answer every RCPT TO with 550 (permanent)
//   --user U --password P  require AUTH PLAIN or LOGIN with these credentials
//   --tls-key F --tls-cert F   offer STARTTLS with this key and certificate (PEM)
//   --implicit-tls         TLS from the first byte (smtps) with --tls-key/--tls-cert
//   --stall                accept connections but never greet
'use strict';

const fs = require('fs');
const path = require('path');
const { SMTPServer } = require('smtp-server');

function readOptions(argv) {
  const options = { tempFailData: 0, tempFailRcpt: 0, rejectRcpt: false, implicitTls: false, stall: false };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case '--dir': options.dir = value(); break;
      case '--temp-fail-data': options.tempFailData = Number(value()); break;
      case '--temp-fail-rcpt': options.tempFailRcpt = Number(value()); break;
      case '--reject-rcpt': options.rejectRcpt = true; break;
      case '--user': options.user = value(); break;
      case '--password': options.password = value(); break;
      case '--tls-key': options.key = fs.readFileSync(value()); break;
      case '--tls-cert': options.cert = fs.readFileSync(value()); break;
      case '--implicit-tls': options.implicitTls = true; break;
      case '--stall': options.stall = true; break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!options.dir) throw new Error('usage: smtp_sink.js --dir DIR [options]');
  if ((options.user === undefined) !== (options.password === undefined)) {
    throw new Error('--user and --password go together');
  }
  if (options.implicitTls && !options.key) throw new Error('--implicit-tls needs --tls-key and --tls-cert');
  return options;
}

function smtpError(code, text) {
  const error = new Error(text);
  error.responseCode = code;
  return error;
}

const options = readOptions(process.argv.slice(2));
fs.mkdirSync(options.dir, { recursive: true });
let accepted = 0;
let dataSeen = 0;
let rcptSeen = 0;

const tls = Boolean(options.key);
const server = new SMTPServer({
  secure: options.implicitTls,
  key: options.key,
  cert: options.cert,
  disabledCommands: tls && !options.implicitTls ? [] : ['STARTTLS'],
  authOptional: options.user === undefined,
  authMethods: ['PLAIN', 'LOGIN'],
  allowInsecureAuth: true,
  logger: false,
  onConnect(session, callback) {
    if (!options.stall) callback();
  },
  onAuth(auth, session, callback) {
    if (auth.username === options.user && auth.password === options.password) {
      callback(null, { user: auth.username });
    } else {
      callback(smtpError(535, 'Authentication credentials invalid'));
    }
  },
  onRcptTo(address, session, callback) {
    rcptSeen += 1;
    if (options.rejectRcpt) return callback(smtpError(550, `No such user here: ${address.address}`));
    if (rcptSeen <= options.tempFailRcpt) return callback(smtpError(451, 'Recipient busy, try again later'));
    callback();
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      dataSeen += 1;
      if (dataSeen <= options.tempFailData) {
        return callback(smtpError(451, 'Local error in processing, try again later'));
      }
      accepted += 1;
      const name = String(accepted).padStart(4, '0');
      const envelope = {
        from: session.envelope.mailFrom && session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        user: session.user || null,
        secure: Boolean(session.secure),
      };
      // Written under a temporary name and renamed, so a reader never sees half a file.
      const eml = path.join(options.dir, `${name}.eml`);
      fs.writeFileSync(path.join(options.dir, `${name}.json`), JSON.stringify(envelope));
      fs.writeFileSync(`${eml}.tmp`, Buffer.concat(chunks));
      fs.renameSync(`${eml}.tmp`, eml);
      callback(null, `Message accepted as ${name}`);
    });
  },
});

server.on('error', (error) => process.stderr.write(`smtp_sink: ${error.message}\n`));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.server.address().port}\n`);
});
