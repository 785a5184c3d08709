/**
 * The web app's CSP allows React Aria's own style elements by hash: the
 * hashes must be those of the text the installed react-aria inserts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REACT_ARIA_STYLE_HASHES, webAppContentSecurityPolicy } from '../../src/http/web-app.ts';

const reactAria = path.dirname(createRequire(import.meta.url).resolve('react-aria/package.json'));
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The text React Aria gives a style element it creates, as it is in its source. */
function insertedStyles(file: string, pressableAttribute?: string): string[] {
  const source = readFileSync(path.join(reactAria, 'dist/private', file), 'utf8');
  return [...source.matchAll(/style\.textContent = `([^`]*)`\.trim\(\)/g)].map((match) =>
    (match[1] ?? '').replace(/\$\{[^}]*PRESSABLE_ATTRIBUTE\}/, pressableAttribute ?? '').trim(),
  );
}

describe('the web app CSP', () => {
  it("allows exactly React Aria's inserted styles, by hash, and no other inline style or script", () => {
    const pressable = /PRESSABLE_ATTRIBUTE = '([^']+)'/.exec(
      readFileSync(path.join(reactAria, 'dist/private/interactions/usePress.mjs'), 'utf8'),
    )?.[1];
    const styles = [
      ...insertedStyles('interactions/usePress.mjs', pressable),
      ...insertedStyles('overlays/usePreventScroll.mjs'),
    ];
    expect(styles).toHaveLength(2);
    expect(styles.map(sha256)).toEqual(REACT_ARIA_STYLE_HASHES);
    const csp = webAppContentSecurityPolicy('https://login.example.com/realms/tasks');
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe');
    expect(csp).toContain("connect-src 'self' https://login.example.com;");
  });
});
