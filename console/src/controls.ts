/**
 * What screen readers say for the controls Ant Design names in English: the clear button of a select
 * ("Clear") and the selection boxes of a table ("Select all", "Select row 1"), given Vietnamese names.
 */
export const clearable = { label: 'Xóa lựa chọn' } as const;

export function selectionNames<T>(rowName: (row: T) => string) {
  return {
    getTitleCheckboxProps: () => ({ 'aria-label': 'Chọn tất cả' }),
    getCheckboxProps: (row: T) => ({ 'aria-label': `Chọn ${rowName(row)}` }),
  };
}
