import provinceList from './data/provinces.json';

/** Agencies are roles bound to a jurisdiction: since 1 July 2025 only provinces and communes exist. */
export interface Jurisdiction {
  provinceCode: string;
  communeCode: string;
}

export const knownProvinceCodes: readonly string[] = provinceList.provinces.map((p) => p.code);
const provinceCodes = new Set(knownProvinceCodes);

export function isKnownProvince(code: string): boolean {
  return provinceCodes.has(code);
}

export const communeCodePattern = /^\d{5}$/;
