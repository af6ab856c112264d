// The cost panel's sources and page: no string ever becomes HTML, messages go only through the protocol, and the
// page carries its data, entry module and stylesheet so that nothing in them can break out of their blocks.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPageAssets } from '../../src/panel/assets';
import { panelHtml } from '../../src/panel/html';

describe('panel sources', () => {
  it('never turn a string into HTML (innerHTML, outerHTML, insertAdjacentHTML, document.write, DOMParser)', () => {
    const dir = path.join(__dirname, '../../webview');
    const offenders: string[] = [];
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = fs.readFileSync(path.join(dir, f), 'utf8').replace(/\/\/.*$/gm, '');
      for (const bad of [
        'innerHTML',
        'outerHTML',
        'insertAdjacentHTML',
        'document.write',
        'DOMParser',
        'createContextualFragment',
      ]) {
        if (src.includes(bad)) offenders.push(`${f}: ${bad}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('send messages only through the protocol (no postMessage outside protocol.ts and the acquireVsCodeApi wrapper)', () => {
    const dir = path.join(__dirname, '../../webview');
    const uses = fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.ts'))
      .flatMap((f) => (fs.readFileSync(path.join(dir, f), 'utf8').match(/\.postMessage\(/g) ?? []).map(() => f));
    assert.deepEqual(
      uses.sort(),
      ['context.ts'],
      'context.ts hands vscode.postMessage to the WebviewEndpoint, nothing else posts',
    );
    const panel = fs.readFileSync(path.join(__dirname, '../../src/vscode/panel.ts'), 'utf8');
    assert.equal(
      (panel.match(/\.postMessage\(/g) ?? []).length,
      1,
      'panel.ts hands webview.postMessage to the PanelController',
    );
  });

  it('carry the headline in the page as JSON data that no prompt text can break out of', () => {
    const o = { cspSource: 'vscode-resource:', nonce: 'n0', scriptUri: 's.js', styleUri: 's.css', codiconUri: 'c.css' };
    assert.doesNotMatch(panelHtml(o), /id="summary"/);
    const summary = { period: '7d', note: '</script><script>alert(1)</script>\u2028' };
    const html = panelHtml({ ...o, summary });
    const m = /<script type="application\/json" id="summary">(.*)<\/script>/.exec(html);
    assert.ok(m, html);
    assert.ok(!m[1].includes('<'), 'a "<" could close the block');
    assert.deepEqual(JSON.parse(m[1]), summary);
    assert.equal(html.match(/<script [^>]*nonce=/g)?.length, 1, 'the data block is not a script the policy would run');
  });

  it('carry the entry module and its stylesheet in the page when the host read them, with nothing in them closing the block', () => {
    const o = { cspSource: 'vscode-resource:', nonce: 'n0', scriptUri: 's.js', styleUri: 's.css', codiconUri: 'c.css' };
    const linked = panelHtml(o);
    assert.match(linked, /<script type="module" nonce="n0" src="s\.js"><\/script>/);
    assert.match(linked, /<link rel="stylesheet" href="s\.css"/);
    const script = 'const s = "</script><script>alert(1)</script><!--";';
    const style = 'a::after { content: "</style>"; }';
    const html = panelHtml({ ...o, inline: { script, style, base: 'https://res/dist/' } });
    assert.doesNotMatch(html, /s\.js|s\.css/);
    assert.match(html, /<base href="https:\/\/res\/dist\/">/);
    const js = /<script type="module" nonce="n0">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(js, html);
    assert.equal(new Function(`${js[1]}; return s;`)(), '</script><script>alert(1)</script><!--');
    const css = /<style nonce="n0">([\s\S]*?)<\/style>/.exec(html);
    assert.ok(css && css[1].includes('content: "<\\/style>"'), html);
    // The codicons wait: a print stylesheet holds up neither the first paint nor the script.
    assert.match(html, /id="vscode-codicon-stylesheet" media="print"/);
    assert.equal(html.match(/<script [^>]*nonce=/g)?.length, 1);
  });

  it("read the page's entry module and stylesheet from dist/, or nothing when one is missing (the page links them)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panel-assets-'));
    try {
      fs.writeFileSync(path.join(dir, 'webview.js'), 'export {};');
      assert.equal(readPageAssets(dir), undefined);
      fs.writeFileSync(path.join(dir, 'webview.css'), 'a {}');
      assert.deepEqual(readPageAssets(dir), { script: 'export {};', style: 'a {}' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mark the page as a test page only in test mode (the page reports its drawing and exposes window.__panel only then)', () => {
    const o = { cspSource: 'vscode-resource:', nonce: 'n0', scriptUri: 's.js', styleUri: 's.css', codiconUri: 'c.css' };
    assert.doesNotMatch(panelHtml(o), /data-test-mode/);
    assert.match(panelHtml({ ...o, testMode: true }), /<body data-test-mode="">/);
    const page = fs.readFileSync(path.join(__dirname, '../../webview/panel.ts'), 'utf8');
    assert.match(page, /if \(testMode\(\)\) window\.__panel = /);
    // Rendered is sent from reportRendered alone, and each of its calls (headline, full) runs only in test mode.
    assert.equal(page.match(/endpoint\.send\(Rendered/g)?.length, 1);
    assert.match(page, /private reportRendered\([^{]*\{\s+this\.ctx\.endpoint\.send\(Rendered/);
    const calls = page.match(/^.*this\.reportRendered\(/gm) ?? [];
    assert.equal(calls.length, 2);
    for (const c of calls) assert.match(c, /^\s*if \(testMode\(\)\) this\.reportRendered\($/);
    const host = fs.readFileSync(path.join(__dirname, '../../src/vscode/panel.ts'), 'utf8');
    assert.match(host, /testMode: context\.extensionMode === vscode\.ExtensionMode\.Test/);
  });
});
