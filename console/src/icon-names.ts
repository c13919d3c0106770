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

export function hideIconDrawingNames(root: HTMLElement): void {
  const sweep = (node: ParentNode) => node.querySelectorAll('.anticon[aria-label]').forEach(hideDrawingName);
  sweep(root);
  // Popups (selects, messages, dialogs) are rendered outside the root: the whole body is watched.
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === 'attributes') hideDrawingName(change.target as Element);
      change.addedNodes.forEach((node) => {
        if (node instanceof Element) {
          if (node.matches('.anticon[aria-label]')) hideDrawingName(node);
          sweep(node);
        }
      });
    }
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
}
