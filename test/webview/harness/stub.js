// Stand-in for VS Code's webview host inside the harness page: acquireVsCodeApi() relays messages over HTTP to the
// Node harness server (POST /msg) and receives the host's messages by long polling (GET /poll),
// delivered as `message` events on window exactly like VS Code does. getState/setState keep the webview state in
// sessionStorage, so it survives a reload of the page like VS Code keeps it across a webview reload.
// It also applies a VS Code theme (?theme=dark|light|high-contrast) and records CSP violations and dialogs.
(() => {
  const q = new URLSearchParams(location.search);
  const session = q.get('session') || 'default';
  window.__harness = { cspViolations: [], posted: [], received: [] };
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__harness.cspViolations.push(
      `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile || ''}:${e.lineNumber || ''}`,
    );
  });

  function setTheme(name) {
    const t = window.__HARNESS_THEMES[name];
    if (!t) throw new Error(`unknown theme ${name}`);
    const root = document.documentElement;
    root.removeAttribute('style');
    root.style.setProperty('--vscode-font-family', 'system-ui, "Ubuntu", "Droid Sans", sans-serif');
    root.style.setProperty('--vscode-font-size', '13px');
    root.style.setProperty('--vscode-editor-font-family', 'monospace');
    for (const [k, v] of Object.entries(t.vars)) root.style.setProperty(`--vscode-${k}`, v);
    document.body.className = t.bodyClass;
    document.body.setAttribute('data-vscode-theme-kind', t.kind);
  }
  window.__harness.setTheme = setTheme;
  setTheme(q.get('theme') || 'dark');

  const stateKey = `harness-state:${session}`;
  // One id per load of the page: the server tells a reload from a late message of the page it replaced.
  const pageId = Math.random().toString(36).slice(2);
  const q2 = `session=${encodeURIComponent(session)}&page=${pageId}`;
  // Messages go out at once (like VS Code's postMessage); the server keeps its answers until the next poll.
  const send = (m) => {
    window.__harness.posted.push(m);
    fetch(`/msg?${q2}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(m),
    }).catch((e) => console.error('harness: post failed', e));
  };
  (async function poll() {
    for (;;) {
      let msgs = [];
      try {
        const r = await fetch(`/poll?${q2}`, { cache: 'no-store' });
        if (r.status === 200) msgs = await r.json();
      } catch {
        await new Promise((ok) => setTimeout(ok, 200));
      }
      for (const data of msgs) {
        window.__harness.received.push(data);
        window.dispatchEvent(new MessageEvent('message', { data }));
      }
    }
  })();

  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: (m) => {
        send(JSON.parse(JSON.stringify(m)));
      },
      getState: () => {
        const s = sessionStorage.getItem(stateKey);
        return s ? JSON.parse(s) : undefined;
      },
      setState: (s) => {
        sessionStorage.setItem(stateKey, JSON.stringify(s));
        return s;
      },
    });
  };
})();
