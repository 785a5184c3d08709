/**
 * The resource owner password credentials grant (Keycloak's "direct access
 * grants"), which oidc-provider deliberately does not ship: `tasks-cli`,
 * scripts and tests log in with a username and password, as they do against
 * Keycloak. It issues what the built-in grants issue (a grant, a JWT access
 * token, a refresh token the built-in refresh grant redeems, an ID token),
 * so refresh, revocation and grant-wide logout work on them unchanged.
 */
import { randomUUID } from 'node:crypto';
import { errors, type FindAccount, type Provider, type ResourceServer } from 'oidc-provider';
import { authenticateDevUser } from './dev-users.ts';

export const PASSWORD_GRANT_TYPE = 'password';

export interface PasswordGrantOptions {
  /** Resource indicator of the API: its tokens are the Keycloak-shaped JWTs. */
  resource: string;
  resourceServer: ResourceServer;
  /** Scopes a client may ask for; any other is `invalid_scope`. */
  supportedScopes: readonly string[];
  /** Keycloak's default client scopes: granted whether asked for or not. */
  defaultScopes: readonly string[];
  findAccount: FindAccount;
}

interface PasswordGrantParameters {
  username?: string;
  password?: string;
}

/** Keycloak answers a failed password login with 401 (RFC 6749 says 400), and clients may test for it. */
function invalidUserCredentials(): errors.OIDCProviderError {
  const error = new errors.CustomOIDCProviderError('invalid_grant', 'Invalid user credentials');
  error.status = 401;
  error.statusCode = 401;
  return error;
}

/** The requested scopes plus the default ones, in the order of `supportedScopes` (`openid profile email`). */
function grantedScope(requested: string | undefined, options: PasswordGrantOptions): string {
  const asked = new Set((requested ?? '').split(' ').filter(Boolean));
  const unknown = [...asked].filter((scope) => !options.supportedScopes.includes(scope));
  if (unknown.length > 0)
    throw new errors.InvalidScope('requested scope is not supported', unknown.join(' '));
  for (const scope of options.defaultScopes) asked.add(scope);
  return options.supportedScopes.filter((scope) => asked.has(scope)).join(' ');
}

export function registerPasswordGrant(provider: Provider, options: PasswordGrantOptions): void {
  provider.registerGrantType<PasswordGrantParameters>(
    PASSWORD_GRANT_TYPE,
    async (ctx) => {
      const { client, params } = ctx.oidc;
      if (!params.username) throw new errors.InvalidRequest("missing required parameter 'username'");
      if (params.password === undefined) {
        throw new errors.InvalidRequest("missing required parameter 'password'");
      }
      const user = authenticateDevUser(params.username, params.password);
      const account = user && (await options.findAccount(ctx, user.sub));
      if (!account) throw invalidUserCredentials();
      ctx.oidc.entity('Account', account);

      const scope = grantedScope(params.scope, options);
      // A password login opens a session of its own, as in Keycloak: `sid` in every token of it.
      const sessionId = randomUUID();
      const authTime = Math.floor(Date.now() / 1000);

      const grant = new provider.Grant({ accountId: account.accountId, clientId: client.clientId });
      grant.addOIDCScope(scope);
      grant.addResourceScope(options.resource, scope);
      ctx.oidc.entity('Grant', grant);
      const grantId = await grant.save();

      // Not bound to a browser session (there is none): the grant is what logout and revocation end.
      const common = {
        accountId: account.accountId,
        client,
        grantId,
        gty: PASSWORD_GRANT_TYPE,
        sid: sessionId,
        scope,
        expiresWithSession: false,
      };
      const at = new provider.AccessToken(common);
      at.resourceServer = new provider.ResourceServer(options.resource, options.resourceServer);
      ctx.oidc.entity('AccessToken', at);
      const accessToken = await at.save();

      let refreshToken: string | undefined;
      if (client.grantTypeAllowed('refresh_token')) {
        const rt = new provider.RefreshToken({
          ...common,
          // The refresh grant then issues access tokens for the API again, not userinfo-only ones.
          resource: options.resource,
          authTime,
          amr: ['pwd'],
          rotations: 0,
        });
        ctx.oidc.entity('RefreshToken', rt);
        refreshToken = await rt.save();
      }

      let idToken: string | undefined;
      if (scope.split(' ').includes('openid')) {
        const claims = await account.claims('id_token', scope, {}, []);
        const token = new provider.IdToken({ ...claims, auth_time: authTime, amr: ['pwd'] }, { ctx });
        // IdToken filters the claims by `scope`; the typings do not declare the property.
        Object.assign(token, { scope });
        token.set('sid', sessionId);
        token.set('at_hash', accessToken);
        idToken = await token.issue({ use: 'idtoken' });
      }

      ctx.body = {
        access_token: accessToken,
        expires_in: at.expiration,
        refresh_token: refreshToken,
        token_type: at.tokenType,
        id_token: idToken,
        scope,
      };
    },
    ['username', 'password', 'scope'],
  );
}
