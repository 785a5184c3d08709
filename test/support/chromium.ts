/**
 * The one Chromium every browser test drives (Debian's, through
 * playwright-core), launched one way. Node only, no DOM types: the root
 * project's tests and the web app's (web/tsconfig.json) both import it.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails loudly without a browser: CI installs Debian's chromium (.ci/run). */
export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** Where the root project's browser tests leave what a person sees, to be looked at (created). */
export async function screenshotFolder(): Promise<string> {
  const folder = path.join(import.meta.dirname, '../../test-results/screenshots');
  await mkdir(folder, { recursive: true });
  return folder;
}
