// Agent mode through `vscode.lm`, in the real extension host: the router as a model with tools, on an Anthropic tier
// (the local Messages API stand-in streams tool_use as input_json_delta) and on tiers served by another vendor's
// VS Code models (test/integration/fixtures/test-models, registered through the same public API as Copilot's).
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { mockToolInput } from '../../mock-anthropic';
import { SCAFFOLD_SYSTEM, SCAFFOLD_TOOLS, scaffoldUserText } from '../fixtures/agentScaffold';
import type { DecisionRecord } from '../../../src/core/types';
import { api, mockServer, setSetting, TEST_KEY, until, type Handled } from './helpers';
import type { RouterResultMeta } from '../../../src/vscode/chat';

const QUESTION = 'what does git stash do?';
const TOOLS: vscode.LanguageModelChatTool[] = SCAFFOLD_TOOLS.map((t) => ({
  name: t.name,
  description: t.description,
  inputSchema: t.inputSchema,
}));
const TEST_VENDOR = 'test-models';

interface TestModels {
  toolCalls: { city?: string }[];
  requests: {
    model: string;
    messages: {
      role: number;
      parts: { type: string; text?: string; mimeType?: string; bytes?: number; callId?: string }[];
    }[];
    tools: string[];
    toolMode: number;
  }[];
  reset(): void;
}
const testModels = (): TestModels => {
  const ext = vscode.extensions.getExtension<TestModels>('llm-router-tests.test-models');
  assert.ok(ext, 'the test vendor extension is not loaded');
  return ext.exports;
};

/** One request through vscode.lm: the text and the tool calls that came back. */
async function send(
  model: vscode.LanguageModelChat,
  messages: vscode.LanguageModelChatMessage[],
  tools?: vscode.LanguageModelChatTool[],
) {
  const res = await model.sendRequest(
    messages,
    tools ? { tools, toolMode: vscode.LanguageModelChatToolMode.Auto } : {},
    new vscode.CancellationTokenSource().token,
  );
  let text = '';
  const calls: vscode.LanguageModelToolCallPart[] = [];
  for await (const part of res.stream) {
    if (part instanceof vscode.LanguageModelTextPart) text += part.value;
    else if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
  }
  return { text, calls };
}

/** The system prompt as VS Code's agent sends it (role 3 at run time); as a first user message where that is refused. */
function systemMessage(text: string): vscode.LanguageModelChatMessage {
  try {
    return new vscode.LanguageModelChatMessage(3 as vscode.LanguageModelChatMessageRole, text);
  } catch {
    return vscode.LanguageModelChatMessage.User(text);
  }
}

async function routerModel(id = 'router'): Promise<vscode.LanguageModelChat> {
  const [m] = await until(`the LLM Router model ${id}`, async () => {
    const ms = await vscode.lm.selectChatModels({ vendor: 'llm-router', id });
    return ms.length ? ms : null;
  });
  return m;
}

const decisions = async (since: number): Promise<DecisionRecord[]> => {
  const a = await api();
  await a.runtime.flush();
  return a.runtime.store.listDecisions({ source: 'model-provider', since, limit: 50 }).rows;
};

/** A two-request agent loop: the question with tools → a tool call → its result → the answer. */
async function agentLoop(model: vscode.LanguageModelChat) {
  const first = [systemMessage(SCAFFOLD_SYSTEM), vscode.LanguageModelChatMessage.User(scaffoldUserText(QUESTION))];
  const r1 = await send(model, first, TOOLS);
  assert.strictEqual(r1.calls.length, 1, `no tool call came back: ${r1.text}`);
  const call = r1.calls[0];
  const r2 = await send(
    model,
    [
      ...first,
      vscode.LanguageModelChatMessage.Assistant([new vscode.LanguageModelTextPart(r1.text), call]),
      vscode.LanguageModelChatMessage.User([
        new vscode.LanguageModelToolResultPart(call.callId, [
          new vscode.LanguageModelTextPart('stash@{0}: WIP on main'),
        ]),
      ]),
    ],
    TOOLS,
  );
  return { r1, r2, call };
}

suite('agent mode through vscode.lm', () => {
  suiteSetup(async () => {
    await mockServer();
  });

  test('with no tier reachable (no key), the list is empty and asking for it does not throw', async () => {
    const a = await api();
    await vscode.commands.executeCommand('llm-router.clearApiKey');
    await setSetting('tiers', undefined);
    await until('no key', async () => (await a.runtime.keys.get()) === null);
    await until('an empty list', async () => (await vscode.lm.selectChatModels({ vendor: 'llm-router' })).length === 0);
    assert.deepStrictEqual(await vscode.lm.selectChatModels({ vendor: 'llm-router' }), []);
  });

  test('Anthropic tier: the tool call reaches the caller with its arguments; the loop stays on one tier and is one decision with the summed cost; the scaffolded question routes like the question alone', async () => {
    const a = await api();
    const mock = await mockServer();
    await a.commands.setApiKey(TEST_KEY);
    const model = await routerModel();
    const since = Date.now();
    const before = mock.messageRequests().length;
    mock.queue('tool');
    const { r1, r2, call } = await agentLoop(model);
    assert.strictEqual(call.name, 'read_file');
    assert.deepStrictEqual(call.input, mockToolInput(SCAFFOLD_TOOLS[0].inputSchema));
    assert.match(r2.text, /stash@\{0\}: WIP on main/);
    assert.strictEqual(r2.calls.length, 0);

    const sent = mock.messageRequests().slice(before);
    assert.strictEqual(sent.length, 2);
    assert.strictEqual(sent[0].model, sent[1].model, 'the loop changed models');
    assert.deepStrictEqual(
      sent[0].body.tools.map((t: { name: string }) => t.name),
      SCAFFOLD_TOOLS.map((t) => t.name),
    );
    const sys = JSON.stringify(sent[0].body.system ?? '');
    const firstUser = JSON.stringify(sent[0].body.messages[0]);
    assert.ok(
      sys.includes('expert AI programming assistant') || firstUser.includes('expert AI programming assistant'),
      'the system prompt was lost',
    );
    assert.deepStrictEqual(sent[1].body.messages.at(-1).content[0].type, 'tool_result');
    assert.deepStrictEqual(
      sent[1].body.messages.at(-2).content.find((b: { type: string }) => b.type === 'tool_use').id,
      call.callId,
    );

    const rows = await decisions(since);
    assert.strictEqual(rows.length, 1, `decisions: ${rows.map((r) => r.tierId).join(', ')}`);
    const rec = rows[0];
    const alone = a.runtime.service.decide({ prompt: QUESTION });
    assert.strictEqual(rec.tierId, alone.tierId, 'the scaffolding changed the tier');
    assert.strictEqual(rec.model, sent[0].model);
    assert.ok(rec.prompt?.startsWith(QUESTION), `classified: ${rec.prompt}`);
    const price = a.runtime.service.config.tiers[rec.tier].price;
    assert.ok(rec.usage && rec.usage.outputTokens > 0);
    assert.ok(rec.costUsd !== null && rec.costUsd > 0);
    const expected =
      (rec.usage.inputTokens * price.input +
        rec.usage.outputTokens * price.output +
        rec.usage.cacheWriteTokens * price.cacheWrite +
        rec.usage.cacheReadTokens * price.cacheRead) /
      1e6;
    assert.ok(
      Math.abs(rec.costUsd - expected) < 1e-9,
      `cost ${rec.costUsd} ≠ summed usage at the tier's price ${expected}`,
    );
    assert.ok(
      rec.reasons.some((x) => /agent loop: 2 requests/.test(x)),
      rec.reasons.join('; '),
    );
    assert.strictEqual(r1.calls.length, 1);
  });

  test('an image reaches the provider as an image', async () => {
    const a = await api();
    const mock = await mockServer();
    await a.commands.setApiKey(TEST_KEY);
    const tier = a.runtime.settings.config.tiers[0];
    const model = await routerModel(`tier.${tier.id}`);
    // a real 1×1 PNG: VS Code decodes (and may re-encode) images before they reach a provider
    const png = new Uint8Array(
      Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
        'base64',
      ),
    );
    const Data = (vscode as unknown as { LanguageModelDataPart?: { image(d: Uint8Array, m: string): unknown } })
      .LanguageModelDataPart;
    assert.ok(Data, 'this VS Code has no LanguageModelDataPart');
    const before = mock.messageRequests().length;
    const msg = new vscode.LanguageModelChatMessage(vscode.LanguageModelChatMessageRole.User, [
      new vscode.LanguageModelTextPart('What is in this picture?'),
      Data.image(png, 'image/png'),
    ] as vscode.LanguageModelChatMessage['content']);
    const counted = await model.countTokens(msg);
    assert.ok(counted >= 1600, `the image is not counted: ${counted} tokens`);
    await send(model, [msg]);
    const sent = mock.messageRequests().slice(before);
    assert.strictEqual(sent.length, 1);
    assert.strictEqual(sent[0].model, tier.model, 'the pinned entry went elsewhere');
    const img = sent[0].body.messages[0].content.find((b: { type: string }) => b.type === 'image');
    assert.ok(img, `no image block: ${JSON.stringify(sent[0].body.messages[0].content).slice(0, 300)}`);
    assert.strictEqual(img.source.type, 'base64');
    assert.match(img.source.media_type, /^image\/(png|jpeg|webp)$/);
    const bytes = Buffer.from(img.source.data, 'base64');
    assert.ok(
      bytes.length > 8 && (bytes.subarray(1, 4).toString() === 'PNG' || bytes[0] === 0xff),
      'the image data is not an image',
    );
  });

  test('VS Code models as tiers: the proposal never includes the router; an agent loop on those tiers stays on one model, is one decision, priced at the API rate', async () => {
    const a = await api();
    await vscode.commands.executeCommand('llm-router.clearApiKey');
    const tm = testModels();
    tm.reset();
    const proposal = await a.setup.proposal();
    assert.ok(proposal.length >= 2, JSON.stringify(proposal));
    assert.ok(
      proposal.every((t) => t.provider === 'vscode' && t.selector?.vendor !== 'llm-router'),
      JSON.stringify(proposal.map((t) => t.selector)),
    );
    const tiers = await a.setup.useVscodeModels(['tm-small', 'tm-large']);
    assert.deepStrictEqual(
      tiers.map((t) => t.selector?.vendor),
      [TEST_VENDOR, TEST_VENDOR],
    );
    try {
      await until('the VS Code tiers', () => a.runtime.settings.config.tiers.every((t) => t.provider === 'vscode'));
      const model = await until('the router over VS Code tiers', async () => {
        const ms = await vscode.lm.selectChatModels({ vendor: 'llm-router', id: 'router' });
        return ms.length && a.runtime.settings.config.tiers[0].model === 'tm-small' ? ms[0] : null;
      });
      const since = Date.now();
      const { r2, call } = await agentLoop(model);
      assert.strictEqual(call.name, 'read_file');
      assert.deepStrictEqual(call.input, { filePath: 'tm-filePath', startLine: 1, endLine: 1 });
      assert.match(r2.text, /The tool said: stash@\{0\}: WIP on main/);
      assert.strictEqual(tm.requests.length, 2);
      assert.strictEqual(tm.requests[0].model, tm.requests[1].model, 'the loop changed models');
      assert.deepStrictEqual(
        tm.requests[0].tools,
        SCAFFOLD_TOOLS.map((t) => t.name),
      );
      assert.ok(
        tm.requests[1].messages.at(-1)?.parts.some((p) => p.type === 'tool_result' && p.callId === call.callId),
      );
      const rows = await decisions(since);
      assert.strictEqual(rows.length, 1);
      assert.strictEqual(rows[0].model, tm.requests[0].model);
      assert.ok(rows[0].costUsd !== null && rows[0].costUsd > 0, 'a priced model must not be unpriced or $0');
      assert.ok(rows[0].reasons.some((x) => /agent loop: 2 requests/.test(x)));
    } finally {
      await setSetting('tiers', undefined);
    }
  });

  test('a VS Code model without a known price is unpriced; a failing one says why and the next tier answers', async () => {
    const a = await api();
    await vscode.commands.executeCommand('llm-router.clearApiKey');
    await a.setup.useVscodeModels(['tm-slow', 'tm-fails']);
    try {
      await until('the VS Code tiers', () => a.runtime.settings.config.tiers[0]?.model === 'tm-slow');
      const slow = await routerModel('tier.tm-slow');
      const since = Date.now();
      const r = await send(slow, [vscode.LanguageModelChatMessage.User('Say something short.')]);
      assert.match(r.text, /\[tm-slow\]/);
      const rows = await decisions(since);
      assert.strictEqual(rows[0].costUsd, null, 'unpriced is unknown, never $0');
      // a model that fails is a tier that is unavailable: the request falls back to the other tier, both recorded
      const fails = await routerModel('tier.tm-fails');
      const since2 = Date.now();
      const r2 = await send(fails, [vscode.LanguageModelChatMessage.User('Hello?')]);
      assert.match(r2.text, /\[tm-slow\]/);
      const calls = (await decisions(since2)).sort((x, y) => x.time - y.time);
      assert.deepStrictEqual(
        calls.map((c) => [c.model, c.status]),
        [
          ['tm-fails', 'error'],
          ['tm-slow', 'ok'],
        ],
      );
      assert.match(calls[0].error ?? '', /Test Fails failed: tm-fails always fails/);
    } finally {
      await setSetting('tiers', undefined);
    }
  });

  test('@router puts an attached file into the prompt and counts it, but routes on the question', async () => {
    const a = await api();
    const mock = await mockServer();
    await setSetting('tiers', undefined);
    await a.commands.setApiKey(TEST_KEY);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder');
    const file = vscode.Uri.joinPath(folder.uri, 'notes-for-router.md');
    const body = `# Release notes\n\n${'The parser now keeps comments. '.repeat(60)}\nSECRET-MARKER-7731`;
    await vscode.workspace.fs.writeFile(file, Buffer.from(body));
    const before = mock.messageRequests().length;
    // attached as a person attaches a file (the paperclip / drag and drop): a reference of the request
    const done = new Promise<Handled>((resolve) => {
      const sub = a.chat.onDidHandle((e) => {
        sub.dispose();
        resolve(e);
      });
    });
    await vscode.commands.executeCommand('workbench.action.chat.open');
    await vscode.commands.executeCommand('workbench.action.chat.changeModel', {
      vendor: 'llm-router',
      id: 'router',
      family: 'llm-router',
    });
    await vscode.commands.executeCommand('workbench.action.chat.open', {
      query: '@router what does git stash do?',
      attachFiles: [file],
    });
    const h = await Promise.race([
      done,
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no @router result')), 30_000)),
    ]);
    const m = (h.result.metadata ?? {}) as RouterResultMeta;
    assert.strictEqual(m.status, 'ok', JSON.stringify(h.result));
    const sent = mock.messageRequests().slice(before);
    assert.strictEqual(sent.length, 1);
    assert.ok(JSON.stringify(sent[0].body.messages).includes('SECRET-MARKER-7731'), 'the file did not reach the model');
    const rec = a.runtime.store.getDecision(m.decisionId!)!;
    assert.strictEqual(
      rec.tierId,
      a.runtime.service.decide({ prompt: h.prompt }).tierId,
      'the attached file changed the tier',
    );
    assert.ok(rec.estInputTokens > body.length / 4, `the file is not counted: ${rec.estInputTokens}`);
    const u = rec.usage!;
    assert.ok(u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens > body.length / 4, `input ${JSON.stringify(u)}`);
  });

  test('@router honours a tool the person references (#tmClock): the model must use it, VS Code runs it, the answer uses its result, one decision', async () => {
    const a = await api();
    const mock = await mockServer();
    await setSetting('tiers', undefined);
    await a.commands.setApiKey(TEST_KEY);
    const tm = testModels();
    tm.reset();
    await until('the test tool', () => vscode.lm.tools.some((t) => t.name === 'tm_clock'));
    const since = Date.now();
    const before = mock.messageRequests().length;
    const done = new Promise<Handled>((resolve) => {
      const sub = a.chat.onDidHandle((e) => {
        sub.dispose();
        resolve(e);
      });
    });
    await vscode.commands.executeCommand('workbench.action.chat.open');
    await vscode.commands.executeCommand('workbench.action.chat.changeModel', {
      vendor: 'llm-router',
      id: 'router',
      family: 'llm-router',
    });
    await vscode.commands.executeCommand('workbench.action.chat.open', { query: '@router what time is it? #tmClock' });
    const h = await Promise.race([
      done,
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no @router result')), 30_000)),
    ]);
    const m = (h.result.metadata ?? {}) as RouterResultMeta;
    assert.strictEqual(m.status, 'ok', JSON.stringify(h.result));
    const sent = mock.messageRequests().slice(before);
    assert.ok(sent.length >= 2, `requests: ${sent.length}`);
    assert.deepStrictEqual(
      sent[0].body.tools.map((t: { name: string }) => t.name),
      ['tm_clock'],
    );
    assert.deepStrictEqual(sent[0].body.tool_choice, { type: 'any' });
    assert.deepStrictEqual(tm.toolCalls, [{ city: 'mock-city' }]);
    assert.match(h.outcome?.text ?? '', /It is 12:34 in mock-city/);
    const rows = a.runtime.store.listDecisions({ source: 'chat', since, limit: 10 }).rows;
    assert.strictEqual(rows.length, 1);
  });
});
