// Status bar: today's spend, and the budget once one is set. Click opens the cost panel.
import * as vscode from 'vscode';
import { formatUsd, pct } from '../core/format';
import type { LocalEndpoint } from './endpoint';
import type { Runtime } from './runtime';

export function registerStatusBar(
  rt: Runtime,
  endpoint?: LocalEndpoint,
): vscode.Disposable & { readonly item: vscode.StatusBarItem; update(): void } {
  const item = vscode.window.createStatusBarItem('llm-router.spend', vscode.StatusBarAlignment.Right, 100);
  item.name = 'LLM Router spend';
  item.command = 'llm-router.showCostPanel';
  let timer: NodeJS.Timeout | undefined;

  const update = () => {
    try {
      const spent = rt.store.spendSince(startOfToday());
      const b = rt.service.budgetState();
      let text = `$(graph) ${formatUsd(spent)} today`;
      const tip = new vscode.MarkdownString(`**LLM Router**\n\nSpent today: ${formatUsd(spent)}`);
      item.backgroundColor = undefined;
      if (b && (b.dailyLimitUsd !== null || b.monthlyLimitUsd !== null)) {
        text += ` · ${pct(b.usedFraction)}`;
        if (b.dailyLimitUsd !== null) tip.appendMarkdown(` of ${formatUsd(b.dailyLimitUsd)} daily`);
        if (b.monthlyLimitUsd !== null)
          tip.appendMarkdown(`\n\nThis month: ${formatUsd(b.spentMonthUsd)} of ${formatUsd(b.monthlyLimitUsd)}`);
        tip.appendMarkdown(
          `\n\nBudget: **${b.state}**${b.state === 'blocked' ? (b.onExhausted === 'block' ? ' (requests refused)' : ' (cheapest tier only)') : ''}`,
        );
        if (b.state === 'warning' || b.state === 'downgrading')
          item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        if (b.state === 'blocked') item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      }
      const ep = endpoint?.info;
      if (ep) {
        text += ` · $(radio-tower) ${ep.port}`;
        tip.appendMarkdown(`\n\nLocal endpoint: running on ${ep.url} (“LLM Router: Stop Local Endpoint” stops it)`);
      }
      tip.appendMarkdown('\n\nClick to open the cost panel.');
      item.text = text;
      item.tooltip = tip;
      item.show();
    } catch {
      // the store is not open yet: the next change event updates it
    }
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      update();
    }, 200);
  };
  void rt.ready.then(update, () => undefined);
  const sub = rt.onDidChange(schedule);
  const epSub = endpoint?.onDidChange(update);
  // The day rolls over without any change event.
  const tick = setInterval(update, 60_000);
  return {
    item,
    update,
    dispose() {
      sub.dispose();
      epSub?.dispose();
      clearInterval(tick);
      if (timer) clearTimeout(timer);
      item.dispose();
    },
  };
}

function startOfToday(): number {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}
