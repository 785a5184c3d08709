/**
 * Every npm script runs the same on Linux, macOS and Windows: npm runs them
 * with sh there and with cmd.exe on Windows (whatever shell the user types
 * in, PowerShell included), so a script may use only what both understand:
 * commands, arguments and `&&`. Anything that needs more is a Node script.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const { scripts, main } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  main: string;
};

/** Shell-only syntax, each with why cmd.exe cannot run it. */
const SHELL_ONLY: [RegExp, string][] = [
  [/(^|&&\s*)[A-Za-z_][A-Za-z0-9_]*=\S/, 'a VAR=value prefix (cmd.exe has no such syntax)'],
  [/\$[A-Za-z_{(]/, 'a $variable or $(command) (cmd.exe writes %VAR%)'],
  [/`/, 'a backtick substitution'],
  [/'/, 'single quotes (cmd.exe passes them through as characters)'],
  [/;/, 'a ; separator (cmd.exe uses &)'],
  [/\/dev\/|2>&1|>\s*\//, 'a redirection to a Unix path'],
  [/(^|[\s&|])(rm|cp|mv|cat|mkdir|export|sleep|test|grep|sed|chmod|ln|which)\s/, 'a Unix command'],
  [/(^|[\s&|])\.\/\S+\.sh\b|\bbash\b|\bsh -c\b/, 'a shell script'],
];

describe('npm scripts', () => {
  it('the rule catches what it is for', () => {
    const caught = (script: string) => SHELL_ONLY.some(([pattern]) => pattern.test(script));
    for (const bad of [
      'NODE_ENV=production node dist/server.js',
      'rm -rf dist && tsc',
      "node -e 'console.log(1)'",
      'echo $HOME',
      'tsc; vitest',
      'bash scripts/run.sh',
    ])
      expect(caught(bad), bad).toBe(true);
    expect(caught('npm run typecheck && npm run lint')).toBe(false);
    expect(caught('node --import tsx src/server.ts')).toBe(false);
  });

  it.each(Object.entries(scripts))('%s uses no shell-only syntax', (_name, script) => {
    for (const [pattern, what] of SHELL_ONLY) expect(pattern.test(script), `${script}: ${what}`).toBe(false);
  });
});

describe('the programs run compiled JavaScript, built at install and whenever stale', () => {
  it.each([
    ['start', 'server'],
    ['worker', 'worker'],
    ['seed', 'seed'],
    ['migrate', 'migrate'],
    ['dead-letters', 'dead-letters'],
  ])('npm run %s runs %s through scripts/run.mjs', (script, program) => {
    expect(scripts[script]).toBe(`node scripts/run.mjs ${program}`);
  });

  it('`node .` is the same start, and npm install builds', () => {
    expect(main).toBe('scripts/run.mjs');
    expect(scripts.prepare).toBe('node scripts/build-if-stale.mjs');
  });
});
