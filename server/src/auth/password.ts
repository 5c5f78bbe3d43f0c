import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PARAMS = { N: 16384, r: 8, p: 1, keyLength: 32 };

function derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** scrypt (memory-hard, in node:crypto, no native addon): `scrypt$N$r$p$salt$hash`, base64url parts. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS.keyLength, { N: PARAMS.N, r: PARAMS.r, p: PARAMS.p });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time check; false for a malformed hash rather than an exception. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltText, keyText] = stored.split('$');
  if (scheme !== 'scrypt' || !saltText || !keyText) return false;
  const expected = Buffer.from(keyText, 'base64url');
  const actual = await derive(password, Buffer.from(saltText, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let unmatchable: Promise<string> | undefined;

/**
 * The same slow check as `verifyPassword`, against a hash of a random secret no password matches: a
 * sign-in with an unknown or inactive name costs what a wrong password costs, so timing cannot tell
 * which names exist. Always false.
 */
export async function verifyNoPassword(password: string): Promise<false> {
  unmatchable ??= hashPassword(randomBytes(32).toString('base64url'));
  await verifyPassword(password, await unmatchable);
  return false;
}

/** What is stored of a session token or API key: long random secrets need no slow hash, only not being kept in the clear. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
