// Cost panel entry point (bundled to dist/webview.js). Minimal placeholder until the panel lands.
const root = document.getElementById('app');
if (root) root.textContent = 'LLM Router';
