import type { Config } from './config/config.ts';

/** npm start's own lines: plain text on stdout, for the person who started it (logs are JSON). */
export const print = (line: string) => process.stdout.write(`${line}\n`);

/** What a newcomer needs after `npm start`: where the API is, and how to get a token. */
export function startupBanner(config: Config, issuer: string, embeddedDatabase: boolean): string {
  const base = config.publicUrl;
  const tokenUrl = `${issuer}/protocol/openid-connect/token`;
  const lines = [
    '',
    `  Web app         ${base}/app/`,
    `  Task API        ${base}`,
    `  Docs            ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
    `  Token endpoint  ${tokenUrl}`,
    `  Database        ${embeddedDatabase ? `embedded PostgreSQL (data in ${config.dataDir})` : 'DATABASE_URL'}`,
    '',
    '  Get a token and call the API:',
    `    curl -s -d grant_type=password -d client_id=tasks-cli -d username=bob -d password=bob ${tokenUrl}`,
    `    curl -H "Authorization: Bearer <access_token>" ${base}/tasks`,
  ];
  if (!config.oidc.issuer) {
    lines.push(
      '',
      '  DEVELOPMENT identity provider (OIDC_ISSUER is unset): never expose it.',
      '  Users: alice/alice (admin), bob/bob (user), dave/dave (user), carol/carol (viewer), erin/erin (no role)',
    );
  }
  return `${lines.join('\n')}\n`;
}
