import { receiptCodes } from '../../api/receipt-codes';
import { canonicalReceiptCode, formatReceiptCode, receiptCodeAlphabet, receiptCodeFormat, receiptCodeSchema } from '../../domain/receipt-code';

describe('receipt codes', () => {
  it('reads a code as people type it: case, spaces and dashes ignored, look-alike letters taken for digits', () => {
    expect(canonicalReceiptCode(' 7kq2-m9xd ')).toBe('7KQ2M9XD');
    expect(canonicalReceiptCode('O1IL-oil0')).toBe('01110110');
    expect(receiptCodeSchema.parse('7kq2 m9xd')).toBe('7KQ2M9XD');
    for (const refused of ['7KQ2M9XU', '7KQ2M9X', '7KQ2M9XDD', 'ÀKQ2M9XD', 'x'.repeat(33), '']) expect(receiptCodeSchema.safeParse(refused).success).toBe(false);
    expect(formatReceiptCode('7KQ2M9XD')).toBe('7KQ2-M9XD');
  });

  it('issues codes of the alphabet, each matching only its own dossier, under its own key', () => {
    const codes = receiptCodes('a-receipt-code-key-of-at-least-32-chars');
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i += 1) {
      const { code } = codes.issue('H79.26743-A1');
      expect(code).toMatch(receiptCodeFormat);
      seen.add(code);
    }
    expect(seen.size).toBe(2000);
    const used = new Set([...seen].join(''));
    expect([...used].every((c) => receiptCodeAlphabet.includes(c))).toBe(true);
    expect(used.size).toBe(receiptCodeAlphabet.length);

    const { code, hash } = codes.issue('H79.26743-A1');
    expect(codes.matches('H79.26743-A1', code, hash)).toBe(true);
    expect(codes.matches('H79.26743-A2', code, hash)).toBe(false);
    expect(codes.matches('H79.26743-A1', code, null)).toBe(false);
    expect(codes.matches('H79.26743-A1', code, new Uint8Array(3))).toBe(false);
    expect(receiptCodes('another-key-of-at-least-thirty-two-chars').matches('H79.26743-A1', code, hash)).toBe(false);
    // The stand-in read for an unknown dossier is a digest of the same size that nothing opens, even read back as a copy.
    expect(codes.unmatchable).toHaveLength(32);
    expect(codes.matches('H79.26743-A1', code, codes.unmatchable)).toBe(false);
    expect(codes.matches('H79.26743-A1', code, Uint8Array.from(codes.unmatchable))).toBe(false);
  });
});
