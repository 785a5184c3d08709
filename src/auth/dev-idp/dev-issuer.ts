import type { Config } from '../../config/config.ts';

/** The issuer the development identity provider serves when no OIDC_ISSUER is configured. */
export const devIssuerOf = (config: Pick<Config, 'publicUrl'>) => `${config.publicUrl}/realms/tasks`;
