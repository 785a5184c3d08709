import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier, TokenRejected, type TokenVerifier } from '../../src/auth/token-verifier.ts';

const issuer = 'https://id.example/realms/tasks';
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let signingKey: PrivateKey;
let strangerKey: PrivateKey;
let publicJwk: Record<string, unknown>;
let verifier: TokenVerifier;

const now = () => Math.floor(Date.now() / 1000);
const claims = (overrides: JWTPayload = {}): JWTPayload => ({
  iss: issuer,
  aud: ['tasks-api', 'account'],
  sub: 'user-1',
  typ: 'Bearer',
  azp: 'tasks-cli',
  sid: 'session-1',
  realm_access: { roles: ['user', 'offline_access'] },
  preferred_username: 'bob',
  email: 'bob@example.test',
  iat: now(),
  exp: now() + 300,
  ...overrides,
});
const sign = (payload: JWTPayload, key: PrivateKey = signingKey, kid = 'k1') =>
  new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
const reasonOf = async (token: string) => {
  try {
    await verifier.verify(token);
  } catch (error) {
    if (error instanceof TokenRejected) return error.reason;
    throw error;
  }
  return 'accepted';
};

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
  verifier = createTokenVerifier({
    issuer,
    audience: 'tasks-api',
    rolesClaim: 'realm_access.roles',
    keys: createLocalJWKSet({ keys: [publicJwk] }),
  });
});

describe('access token verification', () => {
  it('a valid Keycloak-shaped token gives the caller, their known roles, email and session', async () => {
    const principal = await verifier.verify(await sign(claims()));
    expect(principal.subject).toBe('user-1');
    expect([...principal.roles]).toEqual(['user']);
    expect(principal.email).toBe('bob@example.test');
    expect(principal.sessionId).toBe('session-1');
  });

  it('a token for another audience is accepted when azp names the API', async () => {
    expect(await reasonOf(await sign(claims({ aud: 'account', azp: 'tasks-api' })))).toBe('accepted');
  });

  it.each([
    ['expired', { exp: now() - 60, iat: now() - 400 }, 'expired'],
    ['not yet valid', { nbf: now() + 3600 }, 'not_yet_valid'],
    ['from another issuer', { iss: 'https://evil.example/realms/tasks' }, 'wrong_issuer'],
    ['for another audience', { aud: 'other-api', azp: 'other-cli' }, 'wrong_audience'],
    ['an ID token', { typ: 'ID' }, 'wrong_type'],
    ['a refresh token', { typ: 'Refresh' }, 'wrong_type'],
  ])('a token %s is rejected', async (_case, overrides, reason) => {
    expect(await reasonOf(await sign(claims(overrides as JWTPayload)))).toBe(reason);
  });

  it('a token without exp is rejected', async () => {
    const { exp: _dropped, ...noExpiry } = claims();
    expect(await reasonOf(await sign(noExpiry))).toBe('malformed');
  });

  it('an unsigned token (alg none) is rejected', async () => {
    expect(await reasonOf(new UnsecuredJWT(claims()).encode())).toBe('bad_algorithm');
  });

  it('an HS256 token keyed with the public key is rejected', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(secret);
    expect(await reasonOf(token)).toBe('bad_algorithm');
  });

  it('a token signed by an unrelated key with a known kid is rejected', async () => {
    expect(await reasonOf(await sign(claims(), strangerKey))).toBe('bad_signature');
  });

  it('a token naming a kid that is not in the key set is rejected', async () => {
    expect(await reasonOf(await sign(claims(), signingKey, 'no-such-kid'))).toBe('unknown_key');
  });

  it.each([
    ['padding on its signature', (token: string) => `${token}==`],
    ['padding on its payload', (token: string) => token.replace(/\.(?=[^.]*$)/, '=.')],
    ['the standard alphabet', (token: string) => token.replaceAll('-', '+').replaceAll('_', '/')],
    ['white space inside', (token: string) => token.replace('.', '. ')],
    ['a fourth part', (token: string) => `${token}.`],
    [
      'unused bits set in its last character',
      (token: string) => {
        // 256 signature bytes are 342 characters: the last one carries 4 unused bits.
        const last = token.at(-1) as string;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        return `${token.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}`;
      },
    ],
  ])('a valid token altered by %s is malformed', async (_case, alter) => {
    const token = await sign(claims());
    expect(await reasonOf(token)).toBe('accepted');
    const altered = alter(token);
    expect(altered).not.toBe(token);
    expect(await reasonOf(altered)).toBe('malformed');
  });

  it('garbage is rejected as malformed', async () => {
    expect(await reasonOf('not.a.jwt')).toBe('malformed');
  });

  it('roles are read from a configurable claim path', async () => {
    const custom = createTokenVerifier({
      issuer,
      audience: 'tasks-api',
      rolesClaim: 'resource_access.tasks-api.roles',
      keys: createLocalJWKSet({ keys: [publicJwk] }),
    });
    const token = await sign(claims({ resource_access: { 'tasks-api': { roles: ['viewer'] } } }));
    expect([...(await custom.verify(token)).roles]).toEqual(['viewer']);
  });
});

describe('remembered verifications', () => {
  const countingVerifier = () => {
    const keySet = createLocalJWKSet({ keys: [publicJwk] });
    const lookups = { count: 0 };
    const remembering = createTokenVerifier({
      issuer,
      audience: 'tasks-api',
      rolesClaim: 'realm_access.roles',
      keys: (header, token) => {
        lookups.count += 1;
        return keySet(header, token);
      },
    });
    return { remembering, lookups };
  };

  it('verifies a token once, then answers from memory for its later requests', async () => {
    const { remembering, lookups } = countingVerifier();
    const token = await sign(claims());
    for (let i = 0; i < 5; i += 1) expect((await remembering.verify(token)).subject).toBe('user-1');
    expect(lookups.count).toBe(1);
  });

  it('forgets a token when it expires: it is then refused as expired', async () => {
    const { remembering, lookups } = countingVerifier();
    const token = await sign(claims({ exp: now() + 60 }));
    await remembering.verify(token);
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    try {
      vi.setSystemTime(Date.now() + 120_000);
      await expect(remembering.verify(token)).rejects.toMatchObject({ reason: 'expired' });
      expect(lookups.count).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never remembers a refusal', async () => {
    const { remembering, lookups } = countingVerifier();
    const token = await sign(claims({ iss: 'https://elsewhere.example' }));
    await expect(remembering.verify(token)).rejects.toBeInstanceOf(TokenRejected);
    await expect(remembering.verify(token)).rejects.toBeInstanceOf(TokenRejected);
    expect(lookups.count).toBe(2);
  });
});
