/**
 * Bearer tokens of the twin service: HS256 with a shared secret, or RS256/ES256 with a public key,
 * verified by jose; the role in the `role` claim, ordered operator < engineer < admin.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

/**
 * Who may do what on the twin service, each role including the ones before it:
 * - `'operator'`: reads everything (assets, telemetry, state, KPIs, scenario results, the live feed)
 *   and issues commands;
 * - `'engineer'`: also requests scenarios and reads `/metrics`;
 * - `'admin'`: also reads the service's configuration (`/v1/config`).
 */
export type Role = 'operator' | 'engineer' | 'admin';

/** The roles, from least to most allowed. */
export const ROLES: readonly Role[] = ['operator', 'engineer', 'admin'];

/**
 * How the service verifies bearer tokens. Give `secret` (HS256) or `publicKey` (RS256 or ES256,
 * from the key's type); each falls back to an environment variable.
 */
export interface AuthOptions {
  /** The HS256 shared secret, at least 32 characters (default: env `TWINKIT_JWT_SECRET`). */
  readonly secret?: string;
  /** A PEM public key (SPKI, `-----BEGIN PUBLIC KEY-----`) for RS256 or ES256 tokens (default: env `TWINKIT_JWT_PUBLIC_KEY`). */
  readonly publicKey?: string;
  /** The `iss` every token must carry (default: env `TWINKIT_JWT_ISSUER`; none: not checked). */
  readonly issuer?: string;
  /** The `aud` every token must carry (default: env `TWINKIT_JWT_AUDIENCE`; none: not checked). */
  readonly audience?: string;
  /** Seconds of clock skew allowed on `exp` and `nbf` (default 5). */
  readonly clockToleranceS?: number;
}

/** Who a verified token speaks for. */
export interface Principal {
  /** The token's `sub` (null when it has none). */
  readonly subject: string | null;
  readonly role: Role;
  /** When the token expires (epoch ms), if it says. */
  readonly expiresAt: number | undefined;
}

/** Why a token was refused: 401 (no or bad token) or 403 (a role the service does not know). */
export class AuthError extends Error {
  constructor(
    message: string,
    readonly status: 401 | 403,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/** A token verifier, with what `/v1/config` may show of it. */
export interface Verifier {
  verify(token: string): Promise<Principal>;
  readonly description: {
    readonly algorithms: readonly string[];
    readonly keyFrom: 'option' | 'environment';
    readonly issuer: string | null;
    readonly audience: string | null;
  };
}

const AUTH_KEYS = ['secret', 'publicKey', 'issuer', 'audience', 'clockToleranceS'];
const MIN_SECRET = 32;

/** Builds the verifier from the options, falling back to the environment; throws a clear error without a key. */
export function makeVerifier(
  api: string,
  options: AuthOptions | undefined,
  env: NodeJS.ProcessEnv,
): Verifier {
  const where = `${api}: auth`;
  rejectUnknownKeys(where, options, AUTH_KEYS, '{ secret: process.env.TWINKIT_JWT_SECRET }');
  const o = options ?? {};
  if (o.secret !== undefined && o.publicKey !== undefined)
    throw invalidArgument(
      where,
      'give secret (HS256) or publicKey (RS256/ES256), not both',
      '{ secret, publicKey }',
    );
  const fromOption = o.secret !== undefined || o.publicKey !== undefined;
  const secret = fromOption ? o.secret : nonEmpty(env.TWINKIT_JWT_SECRET);
  const publicKey = fromOption ? o.publicKey : nonEmpty(env.TWINKIT_JWT_PUBLIC_KEY);
  const issuer = o.issuer ?? nonEmpty(env.TWINKIT_JWT_ISSUER);
  const audience = o.audience ?? nonEmpty(env.TWINKIT_JWT_AUDIENCE);
  const tolerance = o.clockToleranceS ?? 5;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0)
    throw invalidArgument(where, 'clockToleranceS must be a finite number >= 0', tolerance);
  for (const [name, v] of [
    ['issuer', issuer],
    ['audience', audience],
  ] as const)
    if (v !== undefined && typeof v !== 'string') throw invalidArgument(where, `${name} must be a string`, v);

  let key: Uint8Array | KeyObject;
  let algorithms: string[];
  if (secret !== undefined && secret !== '') {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET)
      throw invalidArgument(
        where,
        `the HS256 secret must be a string of at least ${MIN_SECRET} characters`,
        typeof secret === 'string' ? `${secret.length} characters` : secret,
        "Generate one: node -e \"console.log(require('node:crypto').randomBytes(32).toString('base64url'))\".",
      );
    key = new TextEncoder().encode(secret);
    algorithms = ['HS256'];
  } else if (publicKey !== undefined && publicKey !== '') {
    if (typeof publicKey !== 'string')
      throw invalidArgument(where, 'publicKey must be a PEM string', publicKey);
    let k: KeyObject;
    try {
      k = createPublicKey(publicKey);
    } catch (error) {
      throw invalidArgument(
        where,
        `publicKey is not a PEM public key (${(error as Error).message})`,
        `${publicKey.slice(0, 30)}...`,
        'Pass the SPKI PEM (-----BEGIN PUBLIC KEY-----) of an RSA or P-256 key.',
      );
    }
    if (k.asymmetricKeyType === 'rsa') algorithms = ['RS256'];
    else if (k.asymmetricKeyType === 'ec' && k.asymmetricKeyDetails?.namedCurve === 'prime256v1')
      algorithms = ['ES256'];
    else
      throw invalidArgument(
        where,
        'publicKey must be an RSA key (RS256) or an EC P-256 key (ES256)',
        `${k.asymmetricKeyType} ${k.asymmetricKeyDetails?.namedCurve ?? ''}`.trim(),
      );
    key = k;
  } else {
    throw new TwinkitError(
      `${where}: no key to verify tokens with. Pass auth: { secret } (HS256, at least ${MIN_SECRET} characters) or auth: { publicKey } (PEM, RS256/ES256), or set TWINKIT_JWT_SECRET or TWINKIT_JWT_PUBLIC_KEY in the environment.`,
      { code: 'INVALID_ARGUMENT' },
    );
  }

  const verifyOptions = {
    algorithms,
    clockTolerance: tolerance,
    ...(issuer !== undefined ? { issuer } : {}),
    ...(audience !== undefined ? { audience } : {}),
  };
  return {
    description: {
      algorithms,
      keyFrom: fromOption ? 'option' : 'environment',
      issuer: issuer ?? null,
      audience: audience ?? null,
    },
    async verify(token) {
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, key, verifyOptions));
      } catch (error) {
        throw new AuthError(tokenProblem(error), 401);
      }
      const role = payload.role;
      if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
        throw new AuthError(
          `the token's role claim must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role ?? null)}`,
          403,
        );
      return {
        subject: typeof payload.sub === 'string' ? payload.sub : null,
        role: role as Role,
        expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
      };
    },
  };
}

/** What was wrong with a token, in words that never repeat the token. */
function tokenProblem(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `the token's ${error.claim} claim is not accepted (${error.reason})`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return 'the token is signed with an algorithm not accepted';
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid)
    return 'the token is not a well-formed JWT';
  return 'the token could not be verified';
}

/** Whether `role` includes the rights of `needed`. */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Options of {@link signToken}. */
export interface SignTokenOptions {
  /** The `sub` claim: who the token speaks for (written to the audit log). */
  readonly subject: string;
  /** The `role` claim. */
  readonly role: Role;
  /** The HS256 secret (at least 32 characters), as the service's `auth.secret`. */
  readonly secret: string;
  /** How long the token lasts: seconds (a number; negative makes an expired token) or a jose time span (`'2h'`, `'30m'`). Default `'1h'`. */
  readonly expiresIn?: number | string;
  /** The `iss` claim. */
  readonly issuer?: string;
  /** The `aud` claim. */
  readonly audience?: string;
}

/**
 * Signs an HS256 token for the twin service: for development, scripts and tests. Production
 * tokens come from the identity provider (verified by the service's `auth.publicKey`).
 *
 * @example
 * ```ts
 * const token = await signToken({ subject: 'ada', role: 'engineer', secret: process.env.TWINKIT_JWT_SECRET!, expiresIn: '8h' });
 * await fetch('http://127.0.0.1:8080/v1/kpis', { headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export async function signToken(options: SignTokenOptions): Promise<string> {
  const api = 'signToken(options)';
  rejectUnknownKeys(
    api,
    options,
    ['subject', 'role', 'secret', 'expiresIn', 'issuer', 'audience'],
    "{ subject: 'ada', role: 'operator', secret }",
  );
  if (options === undefined) throw invalidArgument(api, 'options must be { subject, role, secret }', options);
  const { subject, role, secret, expiresIn = '1h', issuer, audience } = options;
  if (typeof subject !== 'string' || subject === '')
    throw invalidArgument(api, 'subject must be a non-empty string', subject);
  if (!ROLES.includes(role)) throw invalidArgument(api, `role must be one of ${ROLES.join(', ')}`, role);
  if (typeof secret !== 'string' || secret.length < MIN_SECRET)
    throw invalidArgument(
      api,
      `secret must be a string of at least ${MIN_SECRET} characters`,
      typeof secret === 'string' ? `${secret.length} characters` : secret,
    );
  let exp: number | string;
  if (typeof expiresIn === 'number') {
    if (!Number.isFinite(expiresIn))
      throw invalidArgument(api, 'expiresIn must be finite seconds', expiresIn);
    exp = Math.floor(Date.now() / 1000) + Math.round(expiresIn);
  } else if (typeof expiresIn === 'string') exp = expiresIn;
  else throw invalidArgument(api, "expiresIn must be seconds or a time span such as '1h'", expiresIn);
  let jwt = new SignJWT({ role }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(subject);
  // An expired token is issued before it expires, so that only `exp` is wrong with it.
  const now = Math.floor(Date.now() / 1000);
  jwt = jwt.setIssuedAt(typeof exp === 'number' ? Math.min(now, exp - 1) : now);
  try {
    jwt = jwt.setExpirationTime(exp);
  } catch (error) {
    throw invalidArgument(api, `expiresIn is not a time span (${(error as Error).message})`, expiresIn);
  }
  if (issuer !== undefined) jwt = jwt.setIssuer(issuer);
  if (audience !== undefined) jwt = jwt.setAudience(audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
