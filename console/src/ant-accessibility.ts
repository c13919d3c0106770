/**
 * Ant Design names every icon after its drawing ("inbox", "down", "close-circle"), in English, and
 * screen readers read it out next to the control's own name. The icons here are decoration of controls
 * named in Vietnamese: each one still carrying its drawing's name is hidden from assistive technology.
 * An icon given a Vietnamese name of its own keeps it.
 */
function hideDrawingName(icon: Element): void {
  const name = icon.getAttribute('aria-label');
  if (name === null || !icon.classList.contains(`anticon-${name}`)) return;
  icon.removeAttribute('aria-label');
  icon.removeAttribute('role');
  icon.setAttribute('aria-hidden', 'true');
}

/**
 * Controls left without a name once their icon is hidden, or from the start, are named from what the
 * page already says: a pagination arrow from its item's Vietnamese title ("Trang Trước"), a select's
 * list of options from the label of its field. A date panel's month and year buttons are named by
 * their text, and a table's measuring row is taken out of the keyboard's reach.
 */
function nameControl(control: Element): void {
  if (control.matches('.ant-table-measure-row')) {
    // A row drawn only to measure column widths repeats the header's controls: out of reach, not just hidden.
    control.setAttribute('inert', '');
    return;
  }
  if (control.matches('.ant-picker-header-view button')) {
    // "thg 11" under the name "Chọn tháng": the visible text is the name (WCAG 2.5.3).
    control.removeAttribute('aria-label');
    return;
  }
  if (control.hasAttribute('aria-label')) return;
  if (control.matches('.ant-pagination-item-link')) {
    const title = control.closest('li')?.getAttribute('title');
    if (title) control.setAttribute('aria-label', title);
  } else if (control.getAttribute('role') === 'listbox' && control.id.endsWith('_list')) {
    const field = control.id.slice(0, -'_list'.length);
    const label = document.querySelector(`label[for="${CSS.escape(field)}"]`)?.textContent?.trim();
    control.setAttribute('aria-label', label ? `Lựa chọn: ${label}` : 'Danh sách lựa chọn');
  }
}

const unnamed = '.ant-pagination-item-link, [role="listbox"], .ant-table-measure-row, .ant-picker-header-view button';

/** Repairs what Ant Design leaves unnamed or misnamed for screen readers, now and in every later render. */
export function repairAntAccessibility(root: HTMLElement): void {
  const sweep = (node: ParentNode) => {
    node.querySelectorAll('.anticon[aria-label]').forEach(hideDrawingName);
    node.querySelectorAll(unnamed).forEach(nameControl);
  };
  sweep(root);
  // Popups (selects, messages, dialogs) are rendered outside the root: the whole body is watched.
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === 'attributes') {
        hideDrawingName(change.target as Element);
        if ((change.target as Element).matches(unnamed)) nameControl(change.target as Element);
      }
      change.addedNodes.forEach((node) => {
        if (node instanceof Element) {
          if (node.matches('.anticon[aria-label]')) hideDrawingName(node);
          if (node.matches(unnamed)) nameControl(node);
          sweep(node);
        }
      });
    }
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
}
