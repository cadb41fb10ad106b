// Phases of npm run e2e: each prints when it starts, a heartbeat while it runs (nothing goes silent for minutes),
// and its duration when it ends; the summary at the end lists them all.
// Whole seconds are rounded before they are split into minutes, so 719.6 s reads 12m00s, not 11m60s.
const fmt = (ms) => {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
};

export function createPhases(log = (line) => console.log(line), heartbeatMs = 20_000) {
  const done = [];
  const started = Date.now();
  let current = '';
  return {
    formatDuration: fmt,
    /** Runs fn as a named phase; its heartbeat can be given detail with note(). */
    async run(name, fn) {
      const t0 = Date.now();
      current = '';
      log(`▶ ${name}`);
      const timer = setInterval(() => log(`  … ${name}: ${fmt(Date.now() - t0)}${current ? ` (${current})` : ''}`), heartbeatMs);
      try {
        const result = await fn({ note: (text) => (current = text) });
        done.push({ name, ms: Date.now() - t0, ok: true });
        log(`✓ ${name} (${fmt(Date.now() - t0)})`);
        return result;
      } catch (err) {
        done.push({ name, ms: Date.now() - t0, ok: false });
        log(`✗ ${name} (${fmt(Date.now() - t0)})`);
        throw err;
      } finally {
        clearInterval(timer);
      }
    },
    summary() {
      return ['phases:', ...done.map((p) => `  ${p.ok ? '✓' : '✗'} ${fmt(p.ms).padStart(7)}  ${p.name}`), `  total ${fmt(Date.now() - started)}`].join('\n');
    },
  };
}
