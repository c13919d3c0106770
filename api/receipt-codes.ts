import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { receiptCodeAlphabet, receiptCodeLength } from '../domain/receipt-code';

/** A code handed to the citizen and the only thing kept of it. */
export interface IssuedReceiptCode {
  code: string;
  /** As the database column takes it. */
  hash: Uint8Array<ArrayBuffer>;
}

export interface ReceiptCodes {
  issue(dossierNumber: string): IssuedReceiptCode;
  /**
   * Whether `code` is the one issued for the dossier. The same work whatever `stored` is (a hash, the
   * `unmatchable` digest or null for an unknown dossier or one without a code): an HMAC and a
   * constant-time comparison of two 32-byte digests, so the answer's timing does not tell whether the
   * dossier exists.
   */
  matches(dossierNumber: string, code: string, stored: Uint8Array | null): boolean;
  /**
   * 32 random bytes that no code's HMAC matches: what a lookup reads in place of a hash when there is
   * none, so it fetches and compares a digest of the same size either way.
   */
  readonly unmatchable: Uint8Array<ArrayBuffer>;
}

/**
 * Receipt codes keyed by the server's RECEIPT_CODE_KEY: the database holds HMAC-SHA256(key, number,
 * code) only, so a copy of the database without the key cannot test the 2⁴⁰ codes offline, and a hash
 * moved to another dossier's row matches nothing (the number is part of what is hashed).
 */
export function receiptCodes(key: string): ReceiptCodes {
  const hash = (dossierNumber: string, code: string): Buffer => createHmac('sha256', key).update(`${dossierNumber}\n${code}`).digest();
  // Compared against when there is nothing to compare with; random, so no code can ever match it.
  const nothing = new Uint8Array(randomBytes(32));
  const isNothing = (digest: Uint8Array): boolean => digest === nothing || Buffer.compare(digest, nothing) === 0;
  return {
    unmatchable: nothing,
    issue(dossierNumber) {
      let code = '';
      for (let i = 0; i < receiptCodeLength; i += 1) code += receiptCodeAlphabet[randomInt(receiptCodeAlphabet.length)];
      return { code, hash: new Uint8Array(hash(dossierNumber, code)) };
    },
    matches(dossierNumber, code, stored) {
      const candidate = hash(dossierNumber, code);
      const expected = stored?.length === candidate.length ? stored : nothing;
      // The comparison first, always; only then whether it was against the stand-in (a copy read back
      // from the database included), which no code may open even by a 2⁻²⁵⁶ chance.
      return timingSafeEqual(candidate, expected) && !isNothing(expected);
    },
  };
}
