import type { AppointmentChanged, AppointmentSettings, EscalationPoint } from './contract';

/**
 * The dossier's appointment as its workflow knows it, and the rules for changing it (Nghị định 63
 * Điều 7.2–7.3): one apology per lateness (a second only once the first's new date has passed too),
 * one verification per group, one change recorded at a time. Plain and deterministic, like GroupState:
 * the handlers and the timers call these transitions; `now` is the workflow's clock.
 */
export class AppointmentState {
  private appointment: number;
  private apologies = 0;
  private verified = false;
  /** A change being recorded: another waits for it (a second click is refused, never recorded twice). */
  private recording = false;
  private points: EscalationPoint[];
  /** Bumped whenever the deadline or the appointment moves: timers waiting on the old one wake up. */
  private version = 0;

  constructor(settings: Pick<AppointmentSettings, 'dueAt'>, escalations: readonly EscalationPoint[]) {
    this.appointment = settings.dueAt;
    this.points = [...escalations];
  }

  get appointmentAt(): number {
    return this.appointment;
  }

  get changes(): number {
    return this.version;
  }

  get isRecording(): boolean {
    return this.recording;
  }

  /** When an escalation level is due now (the deadline may have moved since intake). */
  escalationAt(point: EscalationPoint): number {
    return this.points.find((p) => p.level === point.level)?.at ?? point.at;
  }

  validateApology(now: number, ended: boolean, newDueAt?: number): void {
    if (ended) throw new Error('the procedure group has already ended');
    if (this.recording) throw new Error('an apology or a verification is being recorded for this dossier');
    if (now <= this.appointment) {
      throw new Error(
        this.apologies > 0
          ? `an apology was already issued: the new appointment date ${new Date(this.appointment).toISOString()} has not passed`
          : `the dossier is not late: its appointment date ${new Date(this.appointment).toISOString()} has not passed`,
      );
    }
    if (newDueAt !== undefined && newDueAt <= now) throw new Error('the new appointment date has already passed');
  }

  validateVerification(ended: boolean): void {
    if (ended) throw new Error('the procedure group has already ended');
    if (this.verified) throw new Error('verification has already been declared for this dossier');
    if (this.recording) throw new Error('an apology or a verification is being recorded for this dossier');
  }

  /** Taken before any await: a request arriving with this one is refused by the validator. Answers the apology's number. */
  beginApology(): number {
    this.recording = true;
    return this.apologies + 1;
  }

  beginVerification(): void {
    this.recording = true;
    this.verified = true;
  }

  /** The change as recorded: the new appointment, and the escalation points if the deadline moved. */
  recorded(kind: 'APOLOGY' | 'VERIFICATION', change: AppointmentChanged): void {
    this.recording = false;
    if (kind === 'APOLOGY') this.apologies = Math.max(this.apologies, change.ordinal);
    this.appointment = Math.max(this.appointment, change.appointmentAt);
    if (change.escalations) this.points = [...change.escalations];
    this.version += 1;
  }

  /** Not recorded (the database kept failing): the request may be made again. */
  abandon(kind: 'APOLOGY' | 'VERIFICATION'): void {
    this.recording = false;
    if (kind === 'VERIFICATION') this.verified = false;
  }
}
