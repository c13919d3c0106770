import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { procedureGroups, type AgencyRole, type ProcedureGroup, type StepCode } from '../domain/procedures';

/**
 * Every Prometheus metric of Liên thông is defined here. Labels are bounded codes only (procedure
 * group, step, agency role, status, outcome): never a name, an ID number or a dossier number, which
 * would leak personal data and make one time series per citizen.
 */

/** A registry with the Node process metrics (CPU, memory, event loop, GC) that every process exposes. */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

// ── Domain gauges: read from the database at scrape time ────────────────────────────────────────
// Counted where the data lives, so every API instance reports the same numbers, and they stay right
// across restarts and however many workers ran the dossiers.

export interface DossierCount {
  procedureGroup: string;
  status: string;
  count: number;
}

export interface StepCount {
  step: string;
  agency: string;
  status: string;
  count: number;
}

export interface OpenIncidentCount {
  step: string;
  agency: string;
  count: number;
}

export interface OverdueCount {
  procedureGroup: string;
  count: number;
}

export interface PendingSignalCount {
  signal: string;
  count: number;
}

export interface UndeliveredNotificationCount {
  /** PENDING (still being tried) or FAILED (given up). */
  status: string;
  count: number;
}

export interface UndeliveredEscalationCount {
  /** PENDING (still being tried) or GIVEN_UP. */
  status: string;
  count: number;
}

export interface UnstartedWorkflowCount {
  /** The outbox row: dossier (a group's workflow) or notice (a draft's timers). */
  kind: string;
  /** PENDING (still being tried) or GIVEN_UP (Temporal kept refusing it). */
  status: string;
  count: number;
}

/** Where the domain gauges read their counts; one grouped query per method. */
export interface MetricsSource {
  dossierCounts(): Promise<DossierCount[]>;
  stepCounts(): Promise<StepCount[]>;
  openIncidentCounts(): Promise<OpenIncidentCount[]>;
  overdueCounts(): Promise<OverdueCount[]>;
  pendingSignalCounts(): Promise<PendingSignalCount[]>;
  undeliveredNotificationCounts(): Promise<UndeliveredNotificationCount[]>;
  undeliveredEscalationCounts(): Promise<UndeliveredEscalationCount[]>;
  unstartedWorkflowCounts(): Promise<UnstartedWorkflowCount[]>;
  /** The online channel's status messages not delivered to the portal (absent: not reported). */
  undeliveredPortalMessageCounts?(): Promise<UndeliveredPortalMessageCount[]>;
}

export interface UndeliveredPortalMessageCount {
  status: 'PENDING' | 'FAILING' | 'REJECTED';
  count: number;
}

/** The API's registry: process metrics plus the domain gauges read from `source` at each scrape. */
export function createApiRegistry(source: MetricsSource): Registry {
  const registry = createRegistry();
  registerDomainGauges(registry, source);
  return registry;
}

export function registerDomainGauges(registry: Registry, source: MetricsSource): void {
  countGauge(registry, {
    name: 'lien_thong_dossiers',
    help: 'Dossiers by procedure group and status',
    labelNames: ['procedure_group', 'status'],
    read: () => source.dossierCounts(),
    labels: (r) => ({ procedure_group: r.procedureGroup, status: r.status }),
  });
  countGauge(registry, {
    name: 'lien_thong_steps',
    help: 'Dossier steps by step, agency role and status',
    labelNames: ['step', 'agency', 'status'],
    read: () => source.stepCounts(),
    labels: (r) => ({ step: r.step, agency: r.agency, status: r.status }),
  });
  countGauge(registry, {
    name: 'lien_thong_open_incidents',
    help: 'Open incidents by step and agency role',
    labelNames: ['step', 'agency'],
    read: () => source.openIncidentCounts(),
    labels: (r) => ({ step: r.step, agency: r.agency }),
  });
  countGauge(registry, {
    name: 'lien_thong_overdue_dossiers',
    help: 'Dossiers past their legal deadline and not yet finished, by procedure group',
    labelNames: ['procedure_group'],
    read: () => source.overdueCounts(),
    labels: (r) => ({ procedure_group: r.procedureGroup }),
  });
  countGauge(registry, {
    name: 'lien_thong_pending_signals',
    help: "Recorded messages not yet delivered to their workflows: bulk decisions' signals, and officers' task decisions (decideTask); above 0 for minutes means no relay reaches Temporal",
    labelNames: ['signal'],
    read: () => source.pendingSignalCounts(),
    labels: (r) => ({ signal: r.signal }),
  });
  countGauge(registry, {
    name: 'lien_thong_undelivered_notifications',
    help: 'Announcements to citizens not delivered: pending (being retried) or failed (given up after NOTIFICATION_MAX_ATTEMPTS or refused by the gateway)',
    labelNames: ['status'],
    read: () => source.undeliveredNotificationCounts(),
    labels: (r) => ({ status: r.status.toLowerCase() }),
  });
  countGauge(registry, {
    name: 'lien_thong_undelivered_escalations',
    help: 'Escalations not announced to the webhook: pending (being retried by the deadline sweep; every one while ESCALATION_WEBHOOK_URL is unset) or given_up (after ESCALATION_MAX_ATTEMPTS)',
    labelNames: ['status'],
    read: () => source.undeliveredEscalationCounts(),
    labels: (r) => ({ status: r.status.toLowerCase() }),
  });
  countGauge(registry, {
    name: 'lien_thong_unstarted_workflows',
    help: 'Accepted dossiers and notice drafts whose workflow Temporal has not started: pending (the intake reconciler tries again) or given_up (Temporal kept refusing the start)',
    labelNames: ['kind', 'status'],
    read: () => source.unstartedWorkflowCounts(),
    labels: (r) => ({ kind: r.kind, status: r.status.toLowerCase() }),
  });
  const portalMessages = source.undeliveredPortalMessageCounts?.bind(source);
  if (portalMessages) {
    countGauge(registry, {
      name: 'lien_thong_undelivered_portal_messages',
      help: 'Status messages to the national public service portal not delivered: pending, failing (PORTAL_MAX_ATTEMPTS failed sends or more: the portal has been down for long; still retried) or rejected (refused by the portal with a 4xx)',
      labelNames: ['status'],
      read: portalMessages,
      labels: (r) => ({ status: r.status.toLowerCase() }),
    });
  }
}

/**
 * A gauge whose series are exactly the rows `read` returns at scrape time. Reset first, so a
 * combination the source no longer reports disappears instead of keeping its last value.
 */
function countGauge<Row extends { count: number }, Label extends string>(
  registry: Registry,
  spec: { name: string; help: string; labelNames: readonly Label[]; read: () => Promise<Row[]>; labels: (row: Row) => Record<Label, string> },
): void {
  new Gauge<Label>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames,
    registers: [registry],
    async collect() {
      const rows = await spec.read();
      this.reset();
      for (const row of rows) this.set(spec.labels(row), row.count);
    },
  });
}

// ── Worker metrics: observed in the worker process as activities run ──────────────────────────

/** How one agency call ended: `error` is an attempt that failed (outage, timeout, bad answer) and is retried or reported. */
export const stepOutcomes = ['completed', 'refused', 'error'] as const;
export type StepOutcome = (typeof stepOutcomes)[number];

export const groupOutcomes = ['completed', 'partially_completed', 'refused', 'failed', 'withdrawn', 'cancelled', 'compensated'] as const;
export type GroupOutcome = (typeof groupOutcomes)[number];

export interface StepDurationLabels {
  step: StepCode;
  agency: AgencyRole;
  outcome: StepOutcome;
}

export interface GroupOutcomeLabels {
  procedureGroup: ProcedureGroup;
  outcome: GroupOutcome;
}

export interface WorkerMetrics {
  readonly registry: Registry;
  /** One agency call (one activity attempt), from request to answer. */
  observeStepDuration(labels: StepDurationLabels, seconds: number): void;
  /** One procedure group reaching an outcome. */
  countGroupOutcome(labels: GroupOutcomeLabels): void;
}

/** From a fast registry lookup to an agency that answers at the edge of its timeout and beyond. */
export const stepDurationBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function createWorkerMetrics(registry: Registry = createRegistry()): WorkerMetrics {
  const stepDuration = new Histogram({
    name: 'lien_thong_step_duration_seconds',
    help: 'Duration of agency calls (one per step attempt) by step, agency role and outcome',
    labelNames: ['step', 'agency', 'outcome'] as const,
    buckets: stepDurationBuckets,
    registers: [registry],
  });
  const groupOutcomeTotal = new Counter({
    name: 'lien_thong_group_outcomes_total',
    help: 'Procedure groups that reached an outcome, by procedure group and outcome',
    labelNames: ['procedure_group', 'outcome'] as const,
    registers: [registry],
  });
  // Every series exists from the start at 0, so rate() and increase() see the first group of each kind.
  for (const procedureGroup of procedureGroups) {
    for (const outcome of groupOutcomes) groupOutcomeTotal.inc({ procedure_group: procedureGroup, outcome }, 0);
  }
  return {
    registry,
    observeStepDuration: ({ step, agency, outcome }, seconds) => stepDuration.observe({ step, agency, outcome }, seconds),
    countGroupOutcome: ({ procedureGroup, outcome }) => groupOutcomeTotal.inc({ procedure_group: procedureGroup, outcome }),
  };
}
