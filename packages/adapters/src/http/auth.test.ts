import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AuthError, makeVerifier, roleAllows } from './auth';
import { signToken } from './index';

const SECRET = 'a-secret-for-the-auth-tests-0123456789';

async function refusal(p: Promise<unknown>): Promise<AuthError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(AuthError);
  return e as AuthError;
}

describe('token verification', () => {
  it('verifies HS256 tokens of signToken: subject, role, expiry', async () => {
    const v = makeVerifier('test', { secret: SECRET }, {});
    const token = await signToken({ subject: 'ada', role: 'engineer', secret: SECRET, expiresIn: 600 });
    const p = await v.verify(token);
    expect(p.subject).toBe('ada');
    expect(p.role).toBe('engineer');
    expect(p.expiresAt).toBeGreaterThan(Date.now() + 590_000);
    expect(p.expiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
    const spans = await v.verify(
      await signToken({ subject: 'ada', role: 'admin', secret: SECRET, expiresIn: '2h' }),
    );
    expect(spans.expiresAt).toBeGreaterThan(Date.now() + 7_000_000);
  });

  for (const [alg, options] of [
    ['RS256', { modulusLength: 2048 }],
    ['ES256', {}],
  ] as const) {
    it(`verifies ${alg} tokens with a PEM public key, and refuses HS256 ones then`, async () => {
      const { publicKey, privateKey } = await generateKeyPair(alg, options);
      const pem = await exportSPKI(publicKey);
      const v = makeVerifier('test', { publicKey: pem }, {});
      expect(v.description.algorithms).toEqual([alg]);
      const token = await new SignJWT({ role: 'operator' })
        .setProtectedHeader({ alg })
        .setSubject('olga')
        .setExpirationTime('5m')
        .sign(privateKey);
      expect(await v.verify(token)).toMatchObject({ subject: 'olga', role: 'operator' });
      // An attacker signing with HS256 (the public key as the secret, or any other) is refused.
      const forged = await new SignJWT({ role: 'admin' })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(pem));
      const e = await refusal(v.verify(forged));
      expect(e.status).toBe(401);
      expect(e.message).toBe('the token is signed with an algorithm not accepted');
    });
  }

  it('refuses unsigned tokens (alg none)', async () => {
    const v = makeVerifier('test', { secret: SECRET }, {});
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const e = await refusal(v.verify(`${b64({ alg: 'none' })}.${b64({ role: 'admin', sub: 'x' })}.`));
    expect(e.status).toBe(401);
  });

  it('allows a few seconds of clock skew, no more', async () => {
    const v = makeVerifier('test', { secret: SECRET, clockToleranceS: 30 }, {});
    const justExpired = await signToken({ subject: 'a', role: 'operator', secret: SECRET, expiresIn: -10 });
    expect((await v.verify(justExpired)).role).toBe('operator');
    const long = await signToken({ subject: 'a', role: 'operator', secret: SECRET, expiresIn: -60 });
    expect((await refusal(v.verify(long))).message).toBe('the token has expired');
  });

  it('refuses a token without a role claim with 403', async () => {
    const v = makeVerifier('test', { secret: SECRET }, {});
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
    const e = await refusal(v.verify(token));
    expect(e.status).toBe(403);
    expect(e.message).toContain('got null');
  });

  it('falls back to the environment, options first', () => {
    const env = { TWINKIT_JWT_SECRET: SECRET, TWINKIT_JWT_AUDIENCE: 'twin' };
    expect(makeVerifier('test', undefined, env).description).toEqual({
      algorithms: ['HS256'],
      keyFrom: 'environment',
      issuer: null,
      audience: 'twin',
    });
    const o = makeVerifier('test', { secret: `${SECRET}-other`, audience: 'mine' }, env).description;
    expect(o.keyFrom).toBe('option');
    expect(o.audience).toBe('mine');
  });

  it('refuses bad key options clearly', async () => {
    expect(() => makeVerifier('test', {}, {})).toThrow(
      /no key to verify tokens with.*auth: \{ secret \}.*auth: \{ publicKey \}.*TWINKIT_JWT_SECRET or TWINKIT_JWT_PUBLIC_KEY/,
    );
    expect(() => makeVerifier('test', { secret: SECRET, publicKey: 'x' }, {})).toThrow('not both');
    expect(() => makeVerifier('test', { publicKey: 'not a pem' }, {})).toThrow(
      'publicKey is not a PEM public key',
    );
    const { publicKey } = await generateKeyPair('ES384');
    const p384 = await exportSPKI(publicKey);
    expect(() => makeVerifier('test', { publicKey: p384 }, {})).toThrow(
      'an RSA key (RS256) or an EC P-256 key (ES256)',
    );
    expect(() => makeVerifier('test', { secret: SECRET, clockToleranceS: -1 }, {})).toThrow(
      'clockToleranceS',
    );
  });

  it('orders the roles', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('engineer', 'engineer')).toBe(true);
    expect(roleAllows('engineer', 'admin')).toBe(false);
    expect(roleAllows('operator', 'engineer')).toBe(false);
  });
});
