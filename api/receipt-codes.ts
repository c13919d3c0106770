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
   * Whether `code` is the one issued for the dossier. The same work whatever `stored` is (a hash, or
   * null for an unknown dossier or one without a code): an HMAC and a constant-time comparison of two
   * 32-byte digests, so the answer's timing does not tell whether the dossier exists.
   */
  matches(dossierNumber: string, code: string, stored: Uint8Array | null): boolean;
}

/**
 * Receipt codes keyed by the server's RECEIPT_CODE_KEY: the database holds HMAC-SHA256(key, number,
 * code) only, so a copy of the database without the key cannot test the 2⁴⁰ codes offline, and a hash
 * moved to another dossier's row matches nothing (the number is part of what is hashed).
 */
export function receiptCodes(key: string): ReceiptCodes {
  const hash = (dossierNumber: string, code: string): Buffer => createHmac('sha256', key).update(`${dossierNumber}\n${code}`).digest();
  // Compared against when there is nothing to compare with; random, so no code can ever match it.
  const nothing = randomBytes(32);
  return {
    issue(dossierNumber) {
      let code = '';
      for (let i = 0; i < receiptCodeLength; i += 1) code += receiptCodeAlphabet[randomInt(receiptCodeAlphabet.length)];
      return { code, hash: new Uint8Array(hash(dossierNumber, code)) };
    },
    matches(dossierNumber, code, stored) {
      const candidate = hash(dossierNumber, code);
      const expected = stored?.length === candidate.length ? stored : nothing;
      return timingSafeEqual(candidate, expected) && expected !== nothing;
    },
  };
}
