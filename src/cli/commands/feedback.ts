// `llm-router feedback ID up|down`: rates an answer; the rating feeds quality statistics and retraining.
import { Argument, type Command } from 'commander';
import { addDbOption, out, setExitCode, warn, withStore } from '../io';

export function register(program: Command): void {
  addDbOption(
    program
      .command('feedback')
      .description('rate the answer of a recorded decision (thumbs up or down)')
      .argument('<id>', 'decision id (from `route --json`, `export`, or the panel)')
      .addArgument(new Argument('<rating>', 'up or down').choices(['up', 'down'])),
  ).action(async (id: string, rating: 'up' | 'down', opts: { db?: string }) => {
    await withStore(opts.db, async (store) => {
      const d = store.getDecision(id.trim());
      if (!d) {
        warn(`no decision with id "${id}" in ${store.path}`);
        setExitCode(1);
        return;
      }
      store.addFeedback({ decisionId: d.id, thumb: rating, autoQuality: null, signals: null });
      await store.flush();
      const fb = store.feedbackFor(d.id).filter((f) => f.thumb);
      out(
        `recorded thumbs ${rating} for ${d.id} (${d.tierId}, ${d.complexity}/${d.category})${fb.length > 1 ? `; it replaces the earlier rating (${fb[fb.length - 2].thumb})` : ''}`,
      );
    });
  });
}
