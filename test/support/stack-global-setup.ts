/**
 * Vitest global setup of the tiers that need the running stack (the
 * integration tests' PostgreSQL topology, the end-to-end and fault tests):
 * under `npm test`, when nothing of the stack answers, it starts it as CI
 * does (`npm run stack -- --apply-delay 3s`) and stops it after the run; a
 * stack that already runs is used as it is and left running. A direct
 * `npx vitest run ...` never starts it (the stack's fixed ports are one per
 * machine, and whoever runs a few files must not take them): its tests fail
 * naming the command instead. Several projects share one start: the count
 * lives on globalThis, which their setups share (Vitest's main process).
 */
import type { TestProject } from 'vitest/node';
import { stackAnswers, startStack, stopStack } from '../../scripts/stack/stack.ts';

interface SharedStack {
  users: number;
  startedHere: boolean;
}
const holder = globalThis as { tasksTestStack?: SharedStack };
holder.tasksTestStack ??= { users: 0, startedHere: false };
const shared = holder.tasksTestStack;

export async function setup(project: TestProject): Promise<void> {
  shared.users += 1;
  if (shared.users > 1) return;
  const answering = await stackAnswers();
  if (answering === 'all') return;
  // npm sets this for `npm test` (and `npm run test`), never for `npx vitest`.
  if (process.env.npm_lifecycle_event !== 'test') {
    process.stdout.write(
      `[${project.name}] the stack is not running: its tests will fail (npm test starts it; or npm run stack -- --apply-delay 3s)\n`,
    );
    return;
  }
  const started = Date.now();
  process.stdout.write(
    `[${project.name}] starting the stack for the tests (npm run stack -- --apply-delay 3s)\n`,
  );
  await startStack({ applyDelay: '3s', listenAll: false });
  process.stdout.write(`[${project.name}] stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  // Only a stack this run started from nothing is stopped at the end; parts someone else
  // started (answering was 'some') keep running, with what this run completed.
  shared.startedHere = answering === 'none';
}

export async function teardown(): Promise<void> {
  shared.users -= 1;
  if (shared.users > 0 || !shared.startedHere) return;
  await stopStack();
  process.stdout.write('stack stopped (this test run had started it)\n');
}
