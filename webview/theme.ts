// Theme changes: VS Code swaps the body class and the --vscode-* variables on <html>. Calls `onChange` once per
// real change (both places are watched by one observer).

function themeKey(): string {
  return document.body.className + '|' + (document.documentElement.getAttribute('style') ?? '');
}

export function watchTheme(onChange: () => void): MutationObserver {
  let last = themeKey();
  const observer = new MutationObserver(() => {
    const k = themeKey();
    if (k !== last) {
      last = k;
      onChange();
    }
  });
  observer.observe(document.documentElement, { attributes: true, subtree: false, attributeFilter: ['class', 'style'] });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return observer;
}
