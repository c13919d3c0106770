import { documentTypes } from '../../domain/catalogues';
import { birthIntake } from '../support/fixtures';
import { screenshot, shown } from '../support/browser';
import { browserSuite } from '../support/browser-suite';
import { fillBirthIntake } from '../support/intake-form';

/**
 * Names and places in a real browser against the real stack: the clerk picks a commune by its name
 * (typed without accents), finds the dossier by the child's name, and the receipt names the applicant,
 * the office and the documents received.
 */
describe('console: communes by name, dossiers by name, the receipt', () => {
  const suite = browserSuite();

  it('a clerk picks the mother’s commune by name, files the dossier, reads the receipt and finds it by the child’s name', async () => {
    const { stack } = suite;
    const clerk = (await suite.desk('clerk')).page;
    const fixture = birthIntake();
    const childName = 'Nguyễn Thị Hoà Bình';
    await clerk.getByRole('link', { name: 'Tiếp nhận khai sinh' }).first().click();

    // The receiving office is named, not coded.
    await shown(clerk.locator('input[value="Phường Bến Thành, Thành phố Hồ Chí Minh"]'));
    const dossierNumber = `H79.26743-NP-${Date.now().toString(36)}`;
    await clerk.locator('#dossierNumber').fill(dossierNumber);
    await fillBirthIntake(clerk, { ...fixture, child: { ...fixture.child, fullName: childName } });

    // The commune is a list of names: typed without accents, "tan dinh" offers Phường Tân Định and not a code.
    await clerk.locator('#mother_residence_communeCode').click();
    await clerk.locator('#mother_residence_communeCode').fill('tan dinh');
    const options = clerk.locator('.ant-select-dropdown:visible .ant-select-item-option');
    await shown(options.filter({ hasText: 'Phường Tân Định' }));
    expect(await options.filter({ hasText: 'Phường Bến Thành' }).count()).toBe(0);
    await options.filter({ hasText: 'Phường Tân Định' }).first().click();
    await clerk.getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();

    // The receipt: applicant, office by name, the documents received by their catalogue labels.
    const slip = await shown(clerk.getByTestId('receipt-slip'));
    await shown(slip.getByText(dossierNumber));
    await shown(slip.getByText('Ủy ban nhân dân phường Bến Thành, Thành phố Hồ Chí Minh'));
    await shown(slip.getByText('Trần Thị Bích'));
    const documents = await slip.getByTestId('receipt-documents').locator('li').allTextContents();
    expect(documents).toEqual([documentTypes.BIRTH_CERTIFICATE, documentTypes.PARENT_IDENTITY, documentTypes.REQUESTER_IDENTITY, documentTypes.HOUSEHOLD_CONSENT, documentTypes.HEALTH_FACILITY_DECLARATION]);
    await screenshot(clerk, 'clerk-receipt-names-and-places');
    const stored = await stack.db.dossier.findUniqueOrThrow({ where: { dossierNumber } });
    expect((stored.intake as any).mother.residence).toMatchObject({ provinceCode: '79', communeCode: '26737' });

    // The list finds it by the child's name typed without accents, and shows the name; the URL never holds it.
    await clerk.getByRole('menuitem', { name: 'Hồ sơ của xã' }).click();
    await clerk.getByLabel('Tìm theo họ tên').fill('hoa binh nguyen');
    await clerk.getByLabel('Tìm theo họ tên').press('Enter');
    const row = await shown(clerk.locator('tr', { hasText: dossierNumber }));
    await shown(row.getByText(childName));
    expect(await clerk.locator('tbody tr.ant-table-row').count()).toBe(1);
    expect(clerk.url()).not.toMatch(/hoa|binh/i);
  }, 240_000);
});
