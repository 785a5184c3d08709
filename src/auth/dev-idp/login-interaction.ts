/**
 * The sign-in page of the authorization code flow, the development
 * provider's own (oidc-provider's development one invites any name).
 */
import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { authenticateDevUser } from './dev-users.ts';
import { loginPage, messagePage } from './pages.ts';

const LOGIN_FORM_LIMIT_BYTES = 16 * 1024;

/** Reads a form body, refusing (413) one larger than a sign-in or logout form can be. */
export async function readLoginForm(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LOGIN_FORM_LIMIT_BYTES)
      throw Object.assign(new Error('login form too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The sign-in step of the authorization code flow: the form (GET), and its
 * check (POST) against the development users with their passwords, the
 * account id being the user's `sub`. A wrong password shows the form again
 * with a message. First-party clients are never asked to consent
 * (loadExistingGrant), so sign-in is the only step.
 */
export function devLogin(provider: Provider) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => {
    const uid = /^\/interaction\/([\w-]+)$/.exec(ctx.path)?.[1];
    if (!uid || (ctx.method !== 'GET' && ctx.method !== 'POST')) return next();
    ctx.set('cache-control', 'no-store');
    const { prompt, params } = await provider.interactionDetails(ctx.req, ctx.res);
    const action = `${new URL(provider.issuer).pathname}/interaction/${uid}`;
    if (prompt.name !== 'login') {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = messagePage(
        'Sign-in problem',
        'This sign-in step is not supported. Start again from the application.',
      );
      return;
    }
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      const hint = typeof params.login_hint === 'string' ? params.login_hint : undefined;
      ctx.body = loginPage({ action, ...(hint ? { login: hint } : {}) });
      return;
    }
    const form = new URLSearchParams(await readLoginForm(ctx.req));
    const login = form.get('login') ?? '';
    const user = authenticateDevUser(login, form.get('password') ?? '');
    if (!user) {
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = loginPage({ action, login, failed: true });
      return;
    }
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { login: { accountId: user.sub, amr: ['pwd'] } },
      { mergeWithLastSubmission: false },
    );
    ctx.respond = false;
  };
}
