import { citizenResult, citizenResultFields, stepResultSchemas } from '../../domain/agency-contract';

/** What of each act reaches the citizen's portal account: numbers and dates, named field by field. */
describe('the acts sent back to the citizen', () => {
  it("sends a death group's benefit decisions by number and date, never the amount or the survivors", () => {
    expect(citizenResult('FUNERAL_ALLOWANCE', { decisionNumber: 'QĐ-12', decidedOn: '2026-12-01', amount: 36_000_000, category: 'VETERAN' })).toEqual({ decisionNumber: 'QĐ-12', decidedOn: '2026-12-01' });
    expect(citizenResult('SURVIVOR_BENEFIT', { decisionNumber: 'QĐ-13', decidedOn: '2026-12-02', monthlyAmount: 1_500_000, beneficiaries: 2 })).toEqual({ decisionNumber: 'QĐ-13', decidedOn: '2026-12-02' });
  });

  it('sends the card by its number and validity, not the social insurance code, and nothing a result gains later', () => {
    const card = { cardNumber: 'TE1797926002160', socialInsuranceCode: '7926002160', validFrom: '2026-12-01', validUntil: '2032-11-25', addedLater: 'x' };
    expect(citizenResult('CHILD_HEALTH_INSURANCE', card)).toEqual({ cardNumber: 'TE1797926002160', validFrom: '2026-12-01', validUntil: '2032-11-25' });
    expect(citizenResult('NOT_A_STEP', card)).toEqual({});
  });

  it("lists only fields each step's result has", () => {
    for (const [step, fields] of Object.entries(citizenResultFields)) {
      const shape = Object.keys(stepResultSchemas[step as keyof typeof stepResultSchemas].shape);
      expect({ step, unknown: fields.filter((f) => !shape.includes(f as string)) }).toEqual({ step, unknown: [] });
    }
  });
});
