// The post-login Action against the dev tenant, with Node's own test
// runner: `TENANT` is a dev tenant started with --suggest-linking and
// --test-controls (dev-tenant/tests/action.rs starts one and runs this
// file), and `auth0` resolves to the Node SDK the Action uses.
//
// What stands in for Auth0's Actions runtime is the least the Action
// touches: `event.user` and `event.secrets`, `api.idToken.setCustomClaim`
// and an `api.cache` that keeps records until their `expires_at`. Every
// request goes to the tenant; its `https://` becomes `http://`, the one
// thing a loopback tenant cannot serve.

'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const action = require('./suggest-linking.js');

const TENANT = process.env.TENANT;
if (!TENANT) {
  throw new Error('TENANT: the dev tenant to run against (see dev-tenant/tests/action.rs)');
}
const SECRETS = {
  DOMAIN: TENANT,
  // The dev tenant's issuer is http://, so is its Management API's.
  AUDIENCE: `http://${TENANT}/api/v2/`,
  CLIENT_ID: 'link-accounts-action',
  CLIENT_SECRET: 'dev-tenant-action-secret',
};

const httpsFetch = globalThis.fetch;
globalThis.fetch = (url, init) =>
  httpsFetch(String(url).replace(/^https:\/\//, 'http://'), init);

/** The tenant's test controls. */
async function controls(method, path, body) {
  const answer = await httpsFetch(`http://${TENANT}/__controls/${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(answer.ok, `${method} /__controls/${path}: ${answer.status}`);
  return answer.status === 204 ? null : answer.json();
}

/** An `api.cache` as the Actions runtime keeps one: records until they end. */
function cache() {
  const records = new Map();
  return {
    get(key) {
      const r = records.get(key);
      return r && (!r.expires_at || r.expires_at > Date.now()) ? { value: r.value } : undefined;
    },
    set(key, value, options = {}) {
      records.set(key, { value, expires_at: options.expires_at });
      return { type: 'success', record: { value } };
    },
    delete(key) {
      records.delete(key);
      return { type: 'success' };
    },
  };
}

/** Runs the Action for `user`; the claims it set. */
async function login(user, apiCache, secrets = SECRETS) {
  const claims = {};
  const api = {
    cache: apiCache,
    idToken: {
      setCustomClaim(key, value) {
        claims[key] = value;
      },
    },
  };
  await action.onExecutePostLogin({ user, secrets }, api);
  return claims;
}

/** The tenant's log since it was last cleared, as `METHOD path status`. */
async function calls() {
  const log = await controls('GET', 'log');
  return log.map((e) => `${e.method} ${e.path} ${e.status}`);
}

/** What the Action logs while `run` runs. */
async function logged(t, run) {
  const lines = [];
  t.mock.method(console, 'log', (line) => lines.push(String(line)));
  const result = await run();
  t.mock.restoreAll();
  return { result, lines };
}

const ADA = 'google-oauth2|104857600000000000001';

/** Ada as the Action sees her, from the tenant's own list. */
async function ada() {
  const all = await controls('GET', 'suggestions');
  return all.find((s) => s.user.user_id === ADA).user;
}

test('for every seeded user, the claim is the tenant\'s own, with one Management API call a login', async () => {
  const all = await controls('GET', 'suggestions');
  assert.ok(all.length > 10, 'the seeded users');
  assert.ok(all.some((s) => s.claim), 'some are suggested something');
  await controls('DELETE', 'log');
  const shared = cache();
  let verified = 0;
  for (const { user, claim } of all) {
    const claims = await login(user, shared);
    assert.deepEqual(claims[action.CLAIM] ?? null, claim, user.user_id);
    if (user.email && user.email_verified === true) verified += 1;
  }
  const seen = await calls();
  assert.equal(
    seen.filter((c) => c.startsWith('POST /oauth/token')).length,
    1,
    `the token is cached across logins: ${seen}`,
  );
  assert.equal(
    seen.filter((c) => c.startsWith('GET /api/v2/')).length,
    verified,
    'one call for each login with a verified email, none for the others',
  );
  assert.ok(seen.every((c) => !c.startsWith('GET /api/v2/') || c.startsWith('GET /api/v2/users-by-email')));
});

test('Ada is told of her GitHub account only: never of the unverified one with her email', async () => {
  const claims = await login(await ada(), cache());
  assert.deepEqual(Object.keys(claims), [action.CLAIM]);
  assert.deepEqual(claims[action.CLAIM], ['github']);
});

for (const [name, fault, said] of [
  [
    'rate-limited',
    { kind: 'status', status: 429, body: { statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached', errorCode: 'too_many_requests' }, headers: { 'x-ratelimit-reset': '1' } },
    'rate-limited (429)',
  ],
  [
    'failing',
    { kind: 'status', status: 500, body: { statusCode: 500, error: 'Internal Server Error', message: 'Internal error' } },
    'answered 500',
  ],
  ['slow', { kind: 'delay', ms: 4500 }, 'no answer within 3000 ms'],
]) {
  test(`a ${name} Management API leaves the login going on, without the claim, and says why`, async (t) => {
    const user = await ada();
    await controls('POST', 'faults', { method: 'GET', path: '/api/v2/users-by-email', times: 1, action: fault });
    await controls('DELETE', 'log');
    const { result: claims, lines } = await logged(t, () => login(user, cache()));
    assert.deepEqual(claims, {});
    assert.equal(lines.length, 1, `${lines}`);
    assert.match(lines[0], /^link-accounts: no suggestions for this login: the Management API /);
    assert.ok(lines[0].endsWith(said), lines[0]);
    const byEmail = (await calls()).filter((c) => c.startsWith('GET /api/v2/users-by-email'));
    assert.ok(byEmail.length <= 1, `no retry: ${byEmail}`);
    await controls('DELETE', 'faults');
  });
}

test('a refused token request fails open too, and is not cached', async (t) => {
  const user = await ada();
  const shared = cache();
  const wrong = { ...SECRETS, CLIENT_SECRET: 'not the secret' };
  const { result: claims, lines } = await logged(t, () => login(user, shared, wrong));
  assert.deepEqual(claims, {});
  assert.ok(lines[0].endsWith('answered 401'), lines[0]);
  assert.deepEqual((await login(user, shared))[action.CLAIM], ['github']);
});

test('a user whose email is not verified costs no call at all', async () => {
  const all = await controls('GET', 'suggestions');
  const unverified = all.find((s) => s.user.email && s.user.email_verified !== true).user;
  await controls('DELETE', 'log');
  assert.deepEqual(await login(unverified, cache()), {});
  assert.deepEqual(await calls(), []);
});

test('what it keeps of the other accounts: their connections, once each, never ids', () => {
  const user = { user_id: 'google-oauth2|1', identities: [{ provider: 'google-oauth2', user_id: '1', connection: 'google-oauth2' }] };
  const others = [
    user,
    { user_id: 'github|2', email_verified: true, identities: [{ provider: 'github', user_id: '2', connection: 'github' }] },
    { user_id: 'github|3', email_verified: true, identities: [{ provider: 'github', user_id: '3', connection: 'github' }] },
    { user_id: 'auth0|4', email_verified: false, identities: [{ provider: 'auth0', user_id: '4', connection: 'Username-Password-Authentication' }] },
    { user_id: 'email|5', email_verified: true, identities: [] },
  ];
  assert.deepEqual(action.suggestedConnections(user, others), ['github']);
});
