import { Writable } from 'node:stream';
import { createLogger } from '../../runtime/logger';
import { birthIntake } from '../support/fixtures';

describe('logger', () => {
  it('never writes citizens’ names or ID numbers, however deep they are logged', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: 'info' }, sink);
    const intake = birthIntake();
    logger.child({ dossierNumber: intake.dossierNumber }).info({ intake, mother: intake.mother, step: { result: { personalIdNumber: '079326871548' } } }, 'dossier');
    logger.info({ requester: intake.requester, child: intake.child }, 'people');
    logger.info({ receipt: { dossierNumber: intake.dossierNumber, receiptCode: '7KQ2M9XD' } }, 'receipt');
    // An announcement's contact and addressee, logged carelessly.
    logger.info({ contact: { phone: '0912345678' }, message: { channel: 'EMAIL', to: 'me@example.vn' }, row: { email: 'me@example.vn', recipient: '0987654321' } }, 'announcement');
    const output = lines.join('');
    expect(output).toContain(intake.dossierNumber);
    for (const secret of ['7KQ2M9XD', intake.child.fullName, intake.mother!.fullName, intake.mother!.personalIdNumber, intake.requester.personalIdNumber, '079326871548', intake.child.dateOfBirth, '0912345678', 'me@example.vn', '0987654321']) {
      expect(output).not.toContain(secret);
    }
  });
});
