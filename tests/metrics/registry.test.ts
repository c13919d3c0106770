import { Registry } from 'prom-client';
import { createApiRegistry, createWorkerMetrics, groupOutcomes, type MetricsSource } from '../../runtime/metrics';
import { parseSamples, sampleValue } from '../support/prometheus';

describe('worker metrics', () => {
  it('observes step durations and counts group outcomes on its registry', async () => {
    const metrics = createWorkerMetrics(new Registry());
    const labels = { step: 'PERSONAL_ID', agency: 'POPULATION_DATABASE', outcome: 'completed' } as const;
    metrics.observeStepDuration(labels, 1.5);
    metrics.observeStepDuration(labels, 0.03);
    metrics.observeStepDuration({ ...labels, outcome: 'error' }, 400);
    metrics.countGroupOutcome({ procedureGroup: 'BIRTH', outcome: 'completed' });
    metrics.countGroupOutcome({ procedureGroup: 'BIRTH', outcome: 'completed' });
    metrics.countGroupOutcome({ procedureGroup: 'BIRTH', outcome: 'partially_completed' });

    const text = await metrics.registry.metrics();
    const series = { step: 'PERSONAL_ID', agency: 'POPULATION_DATABASE', outcome: 'completed' };
    expect(sampleValue(text, 'lien_thong_step_duration_seconds_count', series)).toBe(2);
    expect(sampleValue(text, 'lien_thong_step_duration_seconds_sum', series)).toBeCloseTo(1.53);
    expect(sampleValue(text, 'lien_thong_step_duration_seconds_bucket', { ...series, le: '0.05' })).toBe(1);
    expect(sampleValue(text, 'lien_thong_step_duration_seconds_bucket', { ...series, le: '1' })).toBe(1);
    expect(sampleValue(text, 'lien_thong_step_duration_seconds_bucket', { ...series, le: '2.5' })).toBe(2);
    // Beyond the largest bucket (300 s) only +Inf counts it.
    const slow = { ...series, outcome: 'error' };
    expect(sampleValue(text, 'lien_thong_step_duration_seconds_bucket', { ...slow, le: '300' })).toBe(0);
    expect(sampleValue(text, 'lien_thong_step_duration_seconds_bucket', { ...slow, le: '+Inf' })).toBe(1);

    expect(sampleValue(text, 'lien_thong_group_outcomes_total', { procedure_group: 'BIRTH', outcome: 'completed' })).toBe(2);
    expect(sampleValue(text, 'lien_thong_group_outcomes_total', { procedure_group: 'BIRTH', outcome: 'partially_completed' })).toBe(1);
    // Every group and outcome exists from the start at 0.
    expect(sampleValue(text, 'lien_thong_group_outcomes_total', { procedure_group: 'DEATH', outcome: 'compensated' })).toBe(0);
    expect(parseSamples(text).filter((s) => s.name === 'lien_thong_group_outcomes_total')).toHaveLength(2 * groupOutcomes.length);
  });

  it('includes the Node process metrics by default', async () => {
    const text = await createWorkerMetrics().registry.metrics();
    expect(sampleValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE lien_thong_step_duration_seconds histogram');
  });
});

describe('domain gauges', () => {
  it('report exactly what the source returns at each scrape', async () => {
    let rows = {
      dossiers: [{ procedureGroup: 'BIRTH', status: 'IN_PROGRESS', count: 3 }],
      steps: [{ step: 'PERSONAL_ID', agency: 'POPULATION_DATABASE', status: 'FAILED', count: 2 }],
      incidents: [{ step: 'PERMANENT_RESIDENCE', agency: 'COMMUNE_POLICE', count: 1 }],
      overdue: [{ procedureGroup: 'BIRTH', count: 4 }],
      signals: [{ signal: 'resolveIncidentInBulk', count: 5 }],
      notifications: [{ status: 'FAILED', count: 2 }],
      escalations: [{ status: 'GIVEN_UP', count: 6 }],
      starts: [{ kind: 'dossier', status: 'GIVEN_UP', count: 7 }],
    };
    const source: MetricsSource = {
      dossierCounts: async () => rows.dossiers,
      stepCounts: async () => rows.steps,
      openIncidentCounts: async () => rows.incidents,
      overdueCounts: async () => rows.overdue,
      pendingSignalCounts: async () => rows.signals,
      undeliveredNotificationCounts: async () => rows.notifications,
      undeliveredEscalationCounts: async () => rows.escalations,
      unstartedWorkflowCounts: async () => rows.starts,
    };
    const registry = createApiRegistry(source);

    let text = await registry.metrics();
    expect(sampleValue(text, 'lien_thong_dossiers', { procedure_group: 'BIRTH', status: 'IN_PROGRESS' })).toBe(3);
    expect(sampleValue(text, 'lien_thong_steps', { step: 'PERSONAL_ID', agency: 'POPULATION_DATABASE', status: 'FAILED' })).toBe(2);
    expect(sampleValue(text, 'lien_thong_open_incidents', { step: 'PERMANENT_RESIDENCE', agency: 'COMMUNE_POLICE' })).toBe(1);
    expect(sampleValue(text, 'lien_thong_overdue_dossiers', { procedure_group: 'BIRTH' })).toBe(4);
    expect(sampleValue(text, 'lien_thong_pending_signals', { signal: 'resolveIncidentInBulk' })).toBe(5);
    expect(sampleValue(text, 'lien_thong_undelivered_notifications', { status: 'failed' })).toBe(2);
    expect(sampleValue(text, 'lien_thong_undelivered_escalations', { status: 'given_up' })).toBe(6);
    expect(sampleValue(text, 'lien_thong_unstarted_workflows', { kind: 'dossier', status: 'given_up' })).toBe(7);

    // A combination the source stops reporting disappears rather than keeping its last value.
    rows = { ...rows, incidents: [], dossiers: [{ procedureGroup: 'BIRTH', status: 'COMPLETED', count: 3 }] };
    text = await registry.metrics();
    expect(sampleValue(text, 'lien_thong_open_incidents', { step: 'PERMANENT_RESIDENCE', agency: 'COMMUNE_POLICE' })).toBeUndefined();
    expect(sampleValue(text, 'lien_thong_dossiers', { procedure_group: 'BIRTH', status: 'IN_PROGRESS' })).toBeUndefined();
    expect(sampleValue(text, 'lien_thong_dossiers', { procedure_group: 'BIRTH', status: 'COMPLETED' })).toBe(3);
  });

  it('fail the scrape when the source fails, instead of serving stale counts', async () => {
    const failing: MetricsSource = {
      dossierCounts: async () => {
        throw new Error('database unreachable');
      },
      stepCounts: async () => [],
      openIncidentCounts: async () => [],
      overdueCounts: async () => [],
      pendingSignalCounts: async () => [],
      undeliveredNotificationCounts: async () => [],
      undeliveredEscalationCounts: async () => [],
      unstartedWorkflowCounts: async () => [],
    };
    await expect(createApiRegistry(failing).metrics()).rejects.toThrow('database unreachable');
  });
});
