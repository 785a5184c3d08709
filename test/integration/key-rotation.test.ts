/**
 * Signing key rotation at the identity provider, with the API left running:
 * the provider starts signing with a new key, publishes only that one and
 * retires the old. The API finds the new key by refetching the JWKS when a
 * token names a kid it does not know (jose's remote key set, at most once per
 * cooldown), so no restart is needed; the retired key is no longer trusted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../support/api-harness.ts';
import { eventually } from '../support/test-database.ts';

let api: RunningApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const statusWith = async (token: string) =>
  (await api.request(undefined, 'GET', '/tasks', { headers: { authorization: `Bearer ${token}` } })).status;

describe('signing key rotation', () => {
  it('tokens signed with the new key are accepted without restarting the API; the retired key is refused', async () => {
    // The API has fetched the first key set and trusts its key.
    expect(await statusWith(await api.oidc.token('bob'))).toBe(200);

    await api.oidc.rotateSigningKey();
    const signedWithNewKey = await api.oidc.token('bob');
    expect(JSON.parse(Buffer.from(signedWithNewKey.split('.')[0] ?? '', 'base64url').toString()).kid).toBe(
      'fixture-key-2',
    );
    // Within the refetch cooldown (5 s) after the last fetch the new kid may still be unknown.
    await eventually(
      async () => (await statusWith(signedWithNewKey)) === 200,
      'a token of the new key is accepted',
      10_000,
    );
    expect(await statusWith(await api.oidc.token('dave'))).toBe(200);

    // A token the retired key signs now (never seen by the API) is no longer trusted.
    expect(await statusWith(await api.oidc.token('carol', { retiredKey: true }))).toBe(401);
  });
});
