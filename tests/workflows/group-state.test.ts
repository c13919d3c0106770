import { currentDefinition } from '../../domain/procedures';
import { GroupState } from '../../workflows/group-state';

/** The workflow's rules, without Temporal: what may be decided, supplied or stopped, and when. */
describe('GroupState', () => {
  const plan = currentDefinition('BIRTH').steps;
  const fresh = () => new GroupState(plan);

  it('keeps every supplement brought before the step resumes, and names each round once', () => {
    const state = fresh();
    state.setStatus('PERMANENT_RESIDENCE', 'WAITING_FOR_SUPPLEMENT');
    expect(() => state.validateSupplement('PERMANENT_RESIDENCE')).not.toThrow();
    expect(() => state.validateSupplement('PERSONAL_ID')).toThrow(/not waiting/);
    state.addSupplement('PERMANENT_RESIDENCE', ['A']);
    state.addSupplement('PERMANENT_RESIDENCE', ['B']);
    expect(state.takeSupplement('PERMANENT_RESIDENCE')).toEqual({ documents: ['A', 'B'], round: 1 });
    expect(state.hasSupplement('PERMANENT_RESIDENCE')).toBe(false);
    state.addSupplement('PERMANENT_RESIDENCE', ['C']);
    expect(state.takeSupplement('PERMANENT_RESIDENCE')).toEqual({ documents: ['C'], round: 2 });
  });

  it('binds a decision to the open incident, once, and never skips a mandatory act or a record', () => {
    const state = fresh();
    expect(() => state.validateDecision({ step: 'PERSONAL_ID', decision: 'RETRY' })).toThrow(/no open incident/);
    state.openIncident('PERSONAL_ID', 'STEP', 'incident-2');
    expect(() => state.validateDecision({ step: 'PERSONAL_ID', decision: 'RETRY', incidentId: 'incident-1' })).toThrow(/no longer open/);
    expect(() => state.validateDecision({ step: 'PERSONAL_ID', decision: 'SKIP' })).toThrow(/mandatory/);
    state.validateDecision({ step: 'PERSONAL_ID', decision: 'RETRY', incidentId: 'incident-2' });
    state.decide('PERSONAL_ID', 'RETRY');
    expect(() => state.validateDecision({ step: 'PERSONAL_ID', decision: 'RETRY' })).toThrow(/no open incident/);
    expect(state.takeDecision('PERSONAL_ID')).toBe('RETRY');

    state.openIncident('CHILD_HEALTH_INSURANCE', 'STEP');
    expect(() => state.validateDecision({ step: 'CHILD_HEALTH_INSURANCE', decision: 'SKIP' })).not.toThrow();
    state.openIncident('PERSONAL_ID', 'COMPENSATION');
    expect(() => state.validateDecision({ step: 'PERSONAL_ID', decision: 'SKIP' })).not.toThrow();
    state.openIncident('BIRTH_REGISTRATION', 'BOOKKEEPING');
    expect(() => state.validateDecision({ step: 'BIRTH_REGISTRATION', decision: 'SKIP' })).toThrow(/cannot be skipped/);
  });

  it('is stopped once, and not after it ended', () => {
    const state = fresh();
    state.validateStop();
    state.requestStop('WITHDRAWN', { reason: 'r', requestedBy: 'clerk' });
    expect(() => state.validateStop()).toThrow(/already being stopped/);
    const ended = fresh();
    ended.markEnded();
    expect(() => ended.validateStop()).toThrow(/already ended/);
  });

  it('lists the steps active now and the compensations newest first', () => {
    const state = fresh();
    expect(state.setStatus('BIRTH_REGISTRATION', 'RUNNING')).toEqual(['BIRTH_REGISTRATION']);
    expect(state.setStatus('BIRTH_REGISTRATION', 'COMPLETED')).toEqual([]);
    for (const step of plan) state.registerCompensation(step);
    expect(state.compensationsNewestFirst().map((s) => s.code)).toEqual(plan.filter((s) => s.compensation).map((s) => s.code).reverse());
  });
});
