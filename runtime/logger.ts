import pino, { type Logger } from 'pino';

/**
 * Fields that carry citizens' personal data. pino replaces them wherever they appear in the first
 * levels of a log record, so a careless `log.info({ dossier })` still leaks nothing.
 */
const personalFields = [
  'fullName',
  'personalIdNumber',
  'idNumber',
  'dateOfBirth',
  'address',
  'phone',
  'email',
  // The requester's contact for announcements, and a message's addressee (phone, email or ID number).
  'contact',
  'to',
  'recipient',
  'intake',
  'result',
  'cardNumber',
  'socialInsuranceCode',
  'bankAccount',
];

/** Credentials: the receipt code opens a dossier's status to whoever holds it. */
const secretFields = ['receiptCode'];

export const redactPaths = [...personalFields, ...secretFields].flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

export function createLogger(options: { level?: string; name?: string } = {}, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: options.name ?? 'lien-thong',
      level: options.level ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
