import { describe, expect, it } from 'vitest';
import {
  allows,
  canAssignOwner,
  canChange,
  canFilterByOwner,
  canSee,
  changeScope,
  hasAnyRole,
  visibilityOf,
} from '../../src/auth/policy.ts';
import { caller } from '../support/principals.ts';

const bobsTask = { owner_id: 'bob' };

describe('policy', () => {
  it('an admin may do everything to every task', () => {
    const admin = caller('alice', 'admin');
    expect(
      ['task:list', 'task:read', 'task:create', 'task:update', 'task:delete'].every((a) =>
        allows(admin, a as never),
      ),
    ).toBe(true);
    expect(canSee(admin, bobsTask)).toBe(true);
    expect(canChange(admin, bobsTask)).toBe(true);
    expect(canAssignOwner(admin)).toBe(true);
    expect(visibilityOf(admin)).toEqual({ kind: 'all' });
  });

  it('a user sees and changes only their own tasks', () => {
    const bob = caller('bob', 'user');
    const dave = caller('dave', 'user');
    expect(allows(bob, 'task:create')).toBe(true);
    expect(canSee(bob, bobsTask)).toBe(true);
    expect(canChange(bob, bobsTask)).toBe(true);
    expect(canSee(dave, bobsTask)).toBe(false);
    expect(canChange(dave, bobsTask)).toBe(false);
    expect(visibilityOf(dave)).toEqual({ kind: 'owner', ownerId: 'dave' });
    expect(canAssignOwner(bob)).toBe(false);
  });

  it('a user may filter a listing by their own id only', () => {
    const bob = caller('bob', 'user');
    expect(canFilterByOwner(bob, 'bob')).toBe(true);
    expect(canFilterByOwner(bob, 'dave')).toBe(false);
    expect(canFilterByOwner(caller('carol', 'viewer'), 'dave')).toBe(true);
  });

  it('a viewer reads everything and writes nothing', () => {
    const carol = caller('carol', 'viewer');
    expect(allows(carol, 'task:list')).toBe(true);
    expect(allows(carol, 'task:read')).toBe(true);
    expect(allows(carol, 'task:create')).toBe(false);
    expect(allows(carol, 'task:update')).toBe(false);
    expect(allows(carol, 'task:delete')).toBe(false);
    expect(canSee(carol, bobsTask)).toBe(true);
    expect(canChange(carol, bobsTask)).toBe(false);
  });

  it('the directory of people (user:list) is for admins and viewers, not users', () => {
    expect(allows(caller('alice', 'admin'), 'user:list')).toBe(true);
    expect(allows(caller('carol', 'viewer'), 'user:list')).toBe(true);
    expect(allows(caller('bob', 'user'), 'user:list')).toBe(false);
  });

  it('a caller without a known role is allowed nothing', () => {
    const erin = caller('erin');
    expect(hasAnyRole(erin)).toBe(false);
    expect(allows(erin, 'task:list')).toBe(false);
    expect(canSee(erin, { owner_id: 'someone' })).toBe(false);
  });

  it('several roles give the union of their rights', () => {
    const userAndViewer = caller('dave', 'user', 'viewer');
    expect(visibilityOf(userAndViewer)).toEqual({ kind: 'all' });
    expect(canSee(userAndViewer, bobsTask)).toBe(true);
    expect(canChange(userAndViewer, bobsTask)).toBe(false);
    expect(canChange(userAndViewer, { owner_id: 'dave' })).toBe(true);
    expect(allows(userAndViewer, 'task:create')).toBe(true);
  });

  it('the tasks a caller may change, as the database filters them, agree with canChange', () => {
    const callers = [
      caller('alice', 'admin'),
      caller('bob', 'user'),
      caller('carol', 'viewer'),
      caller('dave', 'user', 'viewer'),
      caller('erin'),
    ];
    for (const who of callers) {
      const scope = changeScope(who);
      for (const task of [bobsTask, { owner_id: who.subject }]) {
        const allowed = scope !== undefined && (scope.ownerId === null || scope.ownerId === task.owner_id);
        expect(allowed, `${who.subject} on ${task.owner_id}'s task`).toBe(canChange(who, task));
      }
    }
    expect(changeScope(caller('alice', 'admin'))).toEqual({ ownerId: null });
    expect(changeScope(caller('carol', 'viewer'))).toBeUndefined();
  });
});
