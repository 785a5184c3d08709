import { describe, expect, it } from 'vitest';
import { intentFor } from '../../src/api/idempotency.ts';
import { ApiError, fieldErrorsOf, fieldOfPointer, messageOf, NetworkError } from '../../src/api/problem.ts';
import { capabilitiesOf, rolesOf } from '../../src/auth/roles.ts';

describe('errors a person understands', () => {
  it('puts each 422 message next to the field its pointer names', () => {
    const error = new ApiError(422, {
      status: 422,
      errors: [
        { pointer: '/title', message: 'must not be blank' },
        { pointer: '/description', message: 'is too long' },
        { pointer: '/title', message: 'is required' },
        { pointer: '', message: 'unknown field' },
      ],
    });
    expect(fieldErrorsOf(error)).toEqual({
      title: 'must not be blank is required',
      description: 'is too long',
      form: 'unknown field',
    });
    expect(fieldOfPointer('/a~1b')).toBe('a/b');
    expect(fieldErrorsOf(new ApiError(400, {}))).toEqual({});
  });

  it('says what happened, in words, for every kind of failure', () => {
    expect(messageOf(new NetworkError(new TypeError('fetch failed')))).toMatch(/offline.*Nothing was lost/);
    expect(messageOf(new ApiError(503, {}, 5))).toMatch(/temporarily unavailable.*Nothing was lost/);
    expect(messageOf(new ApiError(412, {}))).toMatch(/Someone else changed/);
    expect(messageOf(new ApiError(403, {}))).toMatch(/role does not allow/);
    expect(messageOf(new ApiError(401, {}))).toMatch(/Sign in again/);
    expect(messageOf(new ApiError(429, {}, 7))).toMatch(/retrying in 7 s/);
    expect(messageOf(new Error('x'))).toMatch(/Something went wrong/);
  });
});

describe('one Idempotency-Key per create intent', () => {
  it('keeps the key while the same body is sent again, and takes a new one for a new body', () => {
    let n = 0;
    const newKey = () => `key-${++n}`;
    const first = intentFor(undefined, '{"title":"a"}', newKey);
    expect(intentFor(first, '{"title":"a"}', newKey).key).toBe('key-1');
    expect(intentFor(first, '{"title":"b"}', newKey).key).toBe('key-2');
  });
});

describe('roles', () => {
  it('reads roles at the configured claim path and maps them to what the app shows', () => {
    const claims = { realm_access: { roles: ['offline_access', 'viewer'] } };
    expect(rolesOf(claims, 'realm_access.roles')).toEqual(['viewer']);
    expect(capabilitiesOf(['viewer'])).toEqual({ hasRole: true, canWrite: false, seesEveryone: true });
    expect(capabilitiesOf(['user'])).toEqual({ hasRole: true, canWrite: true, seesEveryone: false });
    expect(capabilitiesOf(['admin'])).toEqual({ hasRole: true, canWrite: true, seesEveryone: true });
    expect(capabilitiesOf(rolesOf({}, 'realm_access.roles')).hasRole).toBe(false);
  });
});
