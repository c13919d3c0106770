import officeList from './data/one-stop-offices.json';
import { provinceName, type Jurisdiction } from './jurisdiction';

/** Where a commune's citizens file dossiers and collect results: its one-stop desk. */
export interface OneStopOffice {
  name: string;
  address: string;
  /** Opening hours as the desk announces them; absent when the province has not said. */
  hours?: string;
}

const offices = new Map(officeList.offices.map((o) => [`${o.provinceCode}/${o.communeCode}`, { name: o.name, address: o.address, hours: o.hours }]));

/**
 * The desk of a commune, from the province's entries (domain/data/one-stop-offices.json, configurable:
 * names and addresses change with reorganisations); a commune without one is still named by its codes
 * and its province, so the citizen is never told nothing.
 */
export function oneStopOffice({ provinceCode, communeCode }: Jurisdiction): OneStopOffice {
  const known = offices.get(`${provinceCode}/${communeCode}`);
  if (known) return known;
  const province = provinceName(provinceCode) ?? `tỉnh, thành phố mã ${provinceCode}`;
  return { name: `Bộ phận Một cửa, Ủy ban nhân dân xã, phường mã ${communeCode}`, address: `Trụ sở Ủy ban nhân dân xã, phường mã ${communeCode}, ${province}` };
}
