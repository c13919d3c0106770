import type { Page } from 'playwright-core';
import { birthIntake } from './fixtures';
import { choose, pickDate } from './browser';

/** The birth intake form filled from a fixture, as a clerk types it (the contact left to each test). */
export async function fillBirthIntake(clerk: Page, fixture: ReturnType<typeof birthIntake>) {
  await clerk.locator('#child_fullName').fill(fixture.child.fullName);
  await clerk.locator('#child_sex').getByText('Nữ').click();
  await pickDate(clerk, 'child_dateOfBirth', fixture.child.dateOfBirth);
  await clerk.locator('#child_placeOfBirth').fill(fixture.child.placeOfBirth);
  await clerk.locator('#child_homeTown').fill(fixture.child.homeTown);
  await clerk.locator('#birthCertificate_number').fill(fixture.birthCertificate.number);
  await clerk.locator('#birthCertificate_issuedBy').fill(fixture.birthCertificate.issuedBy);
  await pickDate(clerk, 'birthCertificate_issuedOn', fixture.birthCertificate.issuedOn);
  await clerk.locator('#mother_fullName').fill(fixture.mother!.fullName);
  await clerk.locator('#mother_personalIdNumber').fill(fixture.mother!.personalIdNumber);
  await clerk.locator('#mother_residence_line').fill(fixture.mother!.residence.line);
  await clerk.locator('#residence_line').fill(fixture.residence!.line);
  await clerk.locator('#healthInsurance_initialFacilityCode').fill(fixture.healthInsurance!.initialFacilityCode);
  await clerk.locator('#requester_fullName').fill(fixture.requester.fullName);
  await clerk.locator('#requester_personalIdNumber').fill(fixture.requester.personalIdNumber);
  await choose(clerk, 'requester_relationship', 'Mẹ');
}
