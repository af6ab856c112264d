// Imported first by main.ts: marks when the bundle starts to run, before any other module's set-up.
performance.mark('bundle-start');
