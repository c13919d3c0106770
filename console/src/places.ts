import { communesOf } from '../../domain/jurisdiction';

/**
 * A text without its Vietnamese diacritics, in lower case: what a clerk types ("ben thanh") finds what
 * the list says ("Phường Bến Thành").
 */
export function folded(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

/** A select's filter over option labels, accents and case ignored. */
export function foldedFilter(input: string, option?: { label?: unknown }): boolean {
  return folded(String(option?.label ?? '')).includes(folded(input.trim()));
}

/** The communes of a province as a select's options, by their names. */
export function communeOptions(provinceCode: string | undefined): { value: string; label: string }[] {
  return provinceCode ? communesOf(provinceCode).map((c) => ({ value: c.code, label: c.name })) : [];
}
