// Routing an agent request on what the person asked: the scaffolding (system prompt, tools, context, attachments,
// tool results) is counted but not classified, and a loop's turns are found again by their tool call ids.
import * as assert from 'node:assert';
import { AgentLoops, IMAGE_TOKENS, readAgentTurn, requestText } from '../../src/core/agentTurn';
import { createClassifier } from '../../src/core/classifier';
import { defaultConfig } from '../../src/core/config';
import { decide } from '../../src/core/policy';
import type { ChatMessage } from '../../src/core/provider/api';
import {
  SCAFFOLD_SYSTEM,
  SCAFFOLD_TOOLS,
  scaffoldChars,
  scaffoldUserText,
} from '../integration/fixtures/agentScaffold';

const QUESTION = 'what does git stash do?';
const config = defaultConfig();
const classifier = createClassifier('learned');
const route = (prompt: string, history: { role: 'user' | 'assistant'; content: string }[] = []) =>
  decide(classifier.classify(prompt, history), config, {});

describe('agent turns: what the person asked', () => {
  it('the scaffolding is about 6 KB', () => {
    const n = scaffoldChars(QUESTION);
    assert.ok(n > 5500 && n < 9000, `${n} characters`);
  });

  for (const tagged of [true, false]) {
    it(`"${QUESTION}" wrapped in agent scaffolding (${tagged ? 'with' : 'without'} <userRequest>) routes exactly like the question alone`, () => {
      const messages: ChatMessage[] = [
        { role: 'user', content: [{ type: 'text', text: scaffoldUserText(QUESTION, { tagged }) }] },
      ];
      const t = readAgentTurn(messages, SCAFFOLD_SYSTEM, SCAFFOLD_TOOLS);
      assert.strictEqual(t.prompt, QUESTION);
      const alone = route(QUESTION);
      const wrapped = route(t.prompt, t.history);
      assert.strictEqual(wrapped.tierId, alone.tierId);
      assert.strictEqual(wrapped.score, alone.score);
      assert.strictEqual(
        wrapped.highStakes,
        false,
        'the attached file\'s "legal" and "compliance" are not the question',
      );
      // and everything is still counted: ~6 KB is some 1,500 tokens beyond the question
      assert.ok(t.extraTokens > 1400, `extra ${t.extraTokens}`);
      assert.ok(t.inputTokens >= t.extraTokens + 5);
    });
  }

  it('classifying the whole scaffolded text instead (what the picker did before) routes elsewhere', () => {
    const whole = `${SCAFFOLD_SYSTEM}\n\n${scaffoldUserText(QUESTION)}`;
    const before = route(whole);
    const alone = route(QUESTION);
    assert.ok(
      before.tier > alone.tier || before.highStakes,
      `whole text → ${before.tierId} (${before.score.toFixed(2)}), question → ${alone.tierId}`,
    );
  });

  it('a follow-up is judged with the earlier turns, stripped of their scaffolding', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: scaffoldUserText('Write a function that merges two sorted arrays in TypeScript') },
      { role: 'assistant', content: 'Here is `merge(a, b)` …' },
      { role: 'user', content: scaffoldUserText('now do it for Python') },
    ];
    const t = readAgentTurn(messages, SCAFFOLD_SYSTEM, SCAFFOLD_TOOLS);
    assert.strictEqual(t.prompt, 'now do it for Python');
    assert.deepStrictEqual(t.history, [
      { role: 'user', content: 'Write a function that merges two sorted arrays in TypeScript' },
      { role: 'assistant', content: 'Here is `merge(a, b)` …' },
    ]);
    assert.strictEqual(t.continuation, false);
  });

  it("a request that brings tool results continues the loop of the person's last turn; tool traffic is counted, not classified", () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: scaffoldUserText('Fix the failing audit test') },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Reading the test.' },
          { type: 'tool_use', id: 'call_1', name: 'read_file', input: { filePath: '/x/test/audit.test.ts' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 'call_1', content: 'x'.repeat(4000) }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_2', name: 'run_in_terminal', input: { command: 'npm test' } },
          { type: 'tool_use', id: 'call_3', name: 'get_errors', input: { filePaths: [] } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'call_2', content: 'ok' },
          { type: 'tool_result', toolUseId: 'call_3', content: 'none' },
        ],
      },
    ];
    const t = readAgentTurn(messages);
    assert.strictEqual(t.prompt, 'Fix the failing audit test');
    assert.deepStrictEqual(t.history, []);
    assert.strictEqual(t.continuation, true);
    assert.deepStrictEqual(t.toolCallIds, ['call_2', 'call_3']);
    assert.ok(t.extraTokens >= 1000, 'the 4,000-character tool result counts');
  });

  it('images count in the estimate', () => {
    const t = readAgentTurn([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is in this screenshot?' },
          { type: 'image', mediaType: 'image/png', data: 'AAAA' },
        ],
      },
    ]);
    assert.strictEqual(t.images, 1);
    assert.ok(t.inputTokens >= IMAGE_TOKENS);
    assert.strictEqual(t.prompt, 'what is in this screenshot?');
  });

  it('plain text without scaffolding is left as it is; an element the person wrote themselves (HTML) stays', () => {
    assert.strictEqual(requestText('How do I center a <div> with flexbox?'), 'How do I center a <div> with flexbox?');
    assert.strictEqual(requestText('<context>noise</context>\nexplain <b>this</b>'), 'explain <b>this</b>');
  });
});

describe('agent loops', () => {
  it('are found again by the ids of the tool calls they made, and forgotten after the time-out', () => {
    let now = 1000;
    const loops = new AgentLoops(10, 60_000, () => now);
    const e = { decisionId: 'd1', tierId: 'sonnet', model: 'claude-sonnet-4-6', turns: 1, time: 0 };
    loops.remember(e, ['a', 'b']);
    assert.strictEqual(loops.find(['x', 'b']), e);
    assert.strictEqual(loops.find(['x']), null);
    now += 61_000;
    assert.strictEqual(loops.find(['a']), null);
  });

  it('keep at most `max` tool call ids (the oldest go first)', () => {
    const loops = new AgentLoops(3);
    const e = { decisionId: 'd', tierId: 'haiku', model: 'm', turns: 1, time: 0 };
    loops.remember(e, ['1', '2', '3', '4']);
    assert.strictEqual(loops.size, 3);
    assert.strictEqual(loops.find(['1']), null);
    assert.strictEqual(loops.find(['4']), e);
  });
});
