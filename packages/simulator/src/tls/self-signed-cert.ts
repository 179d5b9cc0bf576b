import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a certificate and its private key. */
export interface CertificateFiles {
  dir: string;
  certFile: string;
  keyFile: string;
}

/**
 * A self-signed P-256 certificate for `localhost` and 127.0.0.1, made with the openssl CLI, in
 * `dir` (a fresh temporary directory when not given). Whoever connects trusts it by name
 * (NODE_EXTRA_CA_CERTS for Node). Throws when openssl fails.
 */
export function makeSelfSignedCert(dir?: string, days = 2): CertificateFiles {
  const target = dir ?? mkdtempSync(join(tmpdir(), 'hoot-push-tls-'));
  mkdirSync(target, { recursive: true });
  const certFile = join(target, 'cert.pem');
  const keyFile = join(target, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      String(days),
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { dir: target, certFile, keyFile };
}

/**
 * The certificate in `dir` when both files are there and it is valid for another day, else a
 * new one there, valid `days`: made once, so whoever trusts it keeps trusting it across runs.
 */
export function ensureSelfSignedCert(dir: string, days: number): CertificateFiles {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const validTo = Date.parse(new X509Certificate(readFileSync(certFile)).validTo);
    if (validTo > Date.now() + 24 * 3600 * 1000) return { dir, certFile, keyFile };
  }
  return makeSelfSignedCert(dir, days);
}
