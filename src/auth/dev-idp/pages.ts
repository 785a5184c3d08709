/**
 * The development provider's pages (sign-in, sign-out, signed out, errors),
 * styled as part of the product: one self-contained stylesheet inline (no
 * font or other request leaves the page, so they work offline), labelled
 * fields, visible focus, AA contrast, usable on a 375 px wide screen. The
 * sign-in page lists the development users, the only accounts that exist.
 */
import escapeHtml from 'escape-html';
import { DEV_USERS } from './dev-users.ts';

const PRODUCT = 'Task Management System';

const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2937;background:#f3f4f6;line-height:1.5}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;padding:2rem 1rem}
header{margin-bottom:1.5rem;font-weight:600;font-size:1.125rem;color:#1e3a8a;display:flex;align-items:center;gap:.5rem}
header svg{flex:none}
main{width:100%;max-width:26rem;background:#fff;border:1px solid #e5e7eb;border-radius:.75rem;padding:1.75rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.5rem;margin:0 0 1rem}
p{margin:0 0 1rem}
label{display:block;font-weight:600;margin:0 0 .25rem}
input{display:block;width:100%;font:inherit;padding:.625rem .75rem;margin:0 0 1rem;border:1px solid #6b7280;border-radius:.5rem;background:#fff;color:inherit}
input[aria-invalid=true]{border-color:#b91c1c}
button,.button{display:inline-block;width:100%;font:inherit;font-weight:600;text-align:center;text-decoration:none;padding:.625rem 1rem;border:0;border-radius:.5rem;background:#1d4ed8;color:#fff;cursor:pointer}
button:hover,.button:hover{background:#1e40af}
button.secondary{background:#fff;color:#1e3a8a;border:1px solid #1e3a8a}
button.secondary:hover{background:#eff6ff}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.alert{border:1px solid #b91c1c;background:#fef2f2;color:#991b1b;border-radius:.5rem;padding:.75rem;margin:0 0 1rem}
.hint{margin-top:1.5rem;border-top:1px solid #e5e7eb;padding-top:1rem;font-size:.9375rem;color:#374151}
.hint h2{font-size:1rem;margin:0 0 .5rem}
.hint table{width:100%;border-collapse:collapse}
.hint th,.hint td{text-align:left;padding:.25rem .5rem .25rem 0;border-bottom:1px solid #f3f4f6}
.hint code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.875rem}
.dev{font-size:.875rem;color:#4b5563;margin-top:1.5rem;text-align:center;max-width:26rem}
`;

const LOGO = `<svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true"><rect x="2" y="2" width="20" height="20" rx="5" fill="#1d4ed8"/><path d="M7 12.5l3 3 7-7" stroke="#fff" stroke-width="2.5" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

/** A whole page around `body` (trusted HTML: every value in it is escaped by its builder). */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${PRODUCT}</title>
<style>${CSS}</style>
</head>
<body>
<header>${LOGO}<span>${PRODUCT}</span></header>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
<p class="dev">Development sign-in: these accounts and passwords are public. Never expose this server.</p>
</body>
</html>`;
}

const ROLE_NAMES = {
  admin: 'admin: every task',
  user: 'user: own tasks',
  viewer: 'viewer: reads every task',
};

function usersHint(): string {
  const rows = DEV_USERS.map(
    (user) =>
      `<tr><td><code>${escapeHtml(user.username)}</code></td><td>${
        user.roles.length === 0
          ? 'no role: signs in, the API refuses'
          : user.roles.map((role) => escapeHtml(ROLE_NAMES[role])).join(', ')
      }</td></tr>`,
  ).join('');
  return `<section class="hint" aria-labelledby="dev-users">
<h2 id="dev-users">Development users</h2>
<p>Each password is the user name.</p>
<table><thead><tr><th scope="col">User</th><th scope="col">Role</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
}

export interface LoginPageOptions {
  action: string;
  /** The name typed before (or the client's login_hint). */
  login?: string;
  /** Set after a failed attempt: the form is shown again with this message. */
  failed?: boolean;
}

export function loginPage({ action, login, failed }: LoginPageOptions): string {
  const alert = failed
    ? '<p class="alert" role="alert" id="login-error">Wrong user name or password. Use one of the development users below.</p>'
    : '';
  const invalid = failed ? ' aria-invalid="true" aria-describedby="login-error"' : '';
  const focusLogin = !login ? ' autofocus' : '';
  const focusPassword = login ? ' autofocus' : '';
  return page(
    'Sign in',
    `${alert}<form method="post" action="${escapeHtml(action)}" novalidate>
<input type="hidden" name="prompt" value="login">
<label for="login">User name</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(login ?? '')}"${invalid}${focusLogin}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}${focusPassword}>
<button type="submit">Sign in</button>
</form>
${usersHint()}`,
  );
}

/** A page with a message (HTML-escaped). */
export function messagePage(title: string, message: string): string {
  return page(title, `<p>${escapeHtml(message)}</p>`);
}

/** oidc-provider's sign-out confirmation: `form` is its own form (with the xsrf field), submitted by the button. */
export function logoutPage(form: string): string {
  return page(
    'Sign out',
    `${form}<p>Sign out of ${PRODUCT} on this device?</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<p></p><button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`,
  );
}
