/**
 * link-accounts: suggested linking, an Auth0 post-login Action.
 *
 * When the person signing in has a verified email, it finds the other
 * users with that same email (GET /api/v2/users-by-email, with the
 * Action's own machine-to-machine application), keeps those whose email is
 * verified too and that are not already this user's identities, and adds
 * one claim to the ID token: their connections, such as ["github"]. No ids,
 * no other profile data. The link-accounts page reads the claim from the
 * verified ID token and offers to link those accounts; the person still
 * signs in to each one before anything is linked.
 *
 * One Management API call per login: the application's token is cached
 * across executions (api.cache). It fails open: when the Management API is
 * slow, refuses or is rate-limited, the login goes on without the claim,
 * and a log line says why.
 *
 * Secrets: DOMAIN (the tenant's domain, such as example.eu.auth0.com),
 * CLIENT_ID and CLIENT_SECRET (a machine-to-machine application granted
 * read:users on the Management API, and nothing more); AUDIENCE only when
 * the Management API's identifier is not https://DOMAIN/api/v2/ (DOMAIN
 * is a custom domain, or the dev tenant on loopback).
 * Dependency: auth0 (the Node SDK), 7.1.0.
 */

const { ManagementClient } = require('auth0');

/** The claim, namespaced as Auth0 asks; the page reads this name. */
const CLAIM = 'https://link-accounts/suggested_connections';

/** How long the Action waits on the tenant, per call. */
const TIMEOUT_MS = 3000;

/** Where the application's token is cached between executions. */
const TOKEN_KEY = 'link-accounts-management-token';

/** A cached token is used until this long before it ends. */
const EARLY_MS = 60 * 1000;

/**
 * The Management API token of the Action's application: from the cache,
 * or from the client-credentials grant (then cached until shortly before
 * it ends).
 */
async function managementToken(event, api) {
  const cached = api.cache.get(TOKEN_KEY);
  if (cached && cached.value) {
    return cached.value;
  }
  const domain = event.secrets.DOMAIN;
  const answer = await fetch(`https://${domain}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: event.secrets.CLIENT_ID,
      client_secret: event.secrets.CLIENT_SECRET,
      audience: event.secrets.AUDIENCE || `https://${domain}/api/v2/`,
    }).toString(),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!answer.ok) {
    throw Object.assign(new Error('the token request was refused'), {
      statusCode: answer.status,
    });
  }
  const { access_token: token, expires_in: expiresIn } = await answer.json();
  const lifetime = Number(expiresIn) * 1000 - EARLY_MS;
  if (lifetime > 0) {
    api.cache.set(TOKEN_KEY, token, { expires_at: Date.now() + lifetime });
  }
  return token;
}

/**
 * The connections to suggest to `user`, from `others` (the users that
 * share its email): those with a verified email that are not `user` nor
 * one of its identities; each one's main identity's connection, once.
 */
function suggestedConnections(user, others) {
  const mine = new Set(
    (user.identities || []).map((i) => `${i.provider}|${i.user_id}`),
  );
  mine.add(user.user_id);
  const connections = [];
  for (const other of others) {
    const main = (other.identities || [])[0];
    if (other.email_verified !== true || mine.has(other.user_id) || !main) {
      continue;
    }
    if (!connections.includes(main.connection)) {
      connections.push(main.connection);
    }
  }
  return connections;
}

/** Why a call failed, for the log line. */
function why(error) {
  const status = error && (error.statusCode || error.status);
  if (status === 429) return 'rate-limited (429)';
  if (status) return `answered ${status}`;
  // fetch's own (TimeoutError, AbortError) and the SDK's (ManagementTimeoutError).
  const timedOut = /timeout|abort/i;
  if (error && (timedOut.test(error.name) || timedOut.test(error.constructor && error.constructor.name) || timedOut.test(error.message))) {
    return `no answer within ${TIMEOUT_MS} ms`;
  }
  return (error && error.message) || String(error);
}

exports.onExecutePostLogin = async (event, api) => {
  const user = event.user;
  // Nothing is suggested on an email nobody has verified.
  if (!user.email || user.email_verified !== true) {
    return;
  }
  let others;
  try {
    const management = new ManagementClient({
      domain: event.secrets.DOMAIN,
      token: await managementToken(event, api),
      timeoutInSeconds: TIMEOUT_MS / 1000,
      maxRetries: 0,
    });
    others = await management.users.listUsersByEmail({ email: user.email });
  } catch (error) {
    console.log(`link-accounts: no suggestions for this login: the Management API ${why(error)}`);
    return;
  }
  const connections = suggestedConnections(user, Array.isArray(others) ? others : []);
  if (connections.length > 0) {
    api.idToken.setCustomClaim(CLAIM, connections);
  }
};

exports.CLAIM = CLAIM;
exports.suggestedConnections = suggestedConnections;
