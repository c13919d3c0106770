import { z } from 'zod';

/**
 * The receipt code printed on the citizen's receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả) beside
 * the dossier number: with both, and no login, the citizen follows the dossier's steps.
 *
 * Eight characters of Crockford's base32 — digits and capitals without I, L, O, U — so it is easy to
 * read aloud and to type, and 40 random bits, which the lookup's per-address rate limit puts far out of
 * reach of guessing. Printed in two groups of four (`7KQ2-M9XD`).
 */
export const receiptCodeAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const receiptCodeLength = 8;

/** The code as stored in hashes, compared and answered: capitals, no separators. */
export const receiptCodeFormat = new RegExp(`^[${receiptCodeAlphabet}]{${receiptCodeLength}}$`);

/**
 * What a citizen types, as the code it means: spaces and dashes dropped, small letters raised, and the
 * letters read as digits (O as 0, I and L as 1) taken for those digits, as Crockford's decoding does.
 */
export function canonicalReceiptCode(typed: string): string {
  return typed
    .replace(/[\s-]/g, '')
    .toUpperCase()
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

export const receiptCodeSchema = z
  .string()
  // Bounded before it is rewritten: a megabyte of input is refused, not normalised.
  .max(32, 'expected the 8-character receipt code')
  .transform(canonicalReceiptCode)
  .pipe(z.string().regex(receiptCodeFormat, 'expected the 8-character receipt code (letters and digits)'));

/** As printed on the receipt: `7KQ2-M9XD`. */
export function formatReceiptCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
