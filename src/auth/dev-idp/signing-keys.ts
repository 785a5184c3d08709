/**
 * Keys of the development identity provider, kept under
 * `<dataDir>/dev-idp/`: created on first start, reused afterwards, so tokens
 * and sessions survive a restart and every worker process signs with the
 * same key the API verifies with.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';

export interface DevIdpSigningKeys {
  /** For the provider only: includes the private key. */
  privateJwks: JSONWebKeySet;
  /** What the JWKS endpoint serves and the API verifies with. */
  publicJwks: JSONWebKeySet;
}

const PRIVATE_RSA_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const;

export const devIdpDirectory = (dataDir: string) => path.join(dataDir, 'dev-idp');

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new Error(`${file} is not valid JSON; delete it to generate a new one`, { cause });
  }
}

/**
 * Reads `file`, creating it first when absent. Processes starting at once
 * (cluster workers) must end up with one content: each writes a complete
 * private temp file and `link`s it into place, which fails when the target
 * exists (unlike `rename`), so the first link wins and every process then
 * reads the winner's file. A reader never sees a half-written file.
 */
async function readOrCreateJsonFile(file: string, create: () => Promise<unknown>): Promise<unknown> {
  const existing = await readJsonFile(file);
  if (existing !== undefined) return existing;

  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temp, `${JSON.stringify(await create(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
  return readJsonFile(file);
}

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  // The thumbprint is a stable, collision-free kid, as random-looking as Keycloak's.
  const kid = await calculateJwkThumbprint({ kty: 'RSA', e: jwk.e, n: jwk.n });
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

function publicPartOf(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_RSA_MEMBERS) delete copy[member];
  return copy as JWK;
}

function assertSigningKeySet(value: unknown, file: string): asserts value is { keys: JWK[] } {
  const keys = (value as { keys?: unknown } | undefined)?.keys;
  const valid =
    Array.isArray(keys) &&
    keys.length > 0 &&
    keys.every((key: JWK) => key.kty === 'RSA' && key.alg === 'RS256' && !!key.kid && !!key.d);
  if (!valid) throw new Error(`${file} holds no RS256 private signing key; delete it to generate a new one`);
}

/** The provider's RS256 signing key, generated on first use and persisted (mode 0600). */
export async function loadOrCreateSigningKeys(dataDir: string): Promise<DevIdpSigningKeys> {
  const file = path.join(devIdpDirectory(dataDir), 'signing-keys.json');
  const stored = await readOrCreateJsonFile(file, async () => ({ keys: [await newSigningKey()] }));
  assertSigningKeySet(stored, file);
  return { privateJwks: { keys: stored.keys }, publicJwks: { keys: stored.keys.map(publicPartOf) } };
}

/** Secrets that sign the provider's cookies (login session, interactions), shared by every process. */
export async function loadOrCreateCookieKeys(dataDir: string): Promise<string[]> {
  const file = path.join(devIdpDirectory(dataDir), 'cookie-keys.json');
  const stored = await readOrCreateJsonFile(file, async () => ({
    keys: [randomBytes(32).toString('base64url')],
  }));
  const keys = (stored as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'string' && key)) {
    throw new Error(`${file} holds no cookie keys; delete it to generate new ones`);
  }
  return keys;
}
