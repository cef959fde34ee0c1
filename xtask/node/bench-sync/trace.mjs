// Where the slow keystrokes lose their time (`--trace`): a Chromium trace of the typing, and for
// every keystroke over the target, the main-thread tasks of each device that overlap it.
//
// The trace is browser-wide (every renderer process). Device A's renderer is the one that
// dispatched the keydowns; its i-th keydown in the trace is keystroke i, which maps the page
// clock of the latencies onto the trace clock.

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink.user_timing'].join(',');

/// Starts tracing the whole browser; `stop()` returns the trace events.
export async function startTrace(browser) {
  const cdp = await browser.newBrowserCDPSession();
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents' });
  return {
    async stop() {
      const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await done;
      await cdp.detach().catch(() => {});
      return events;
    },
  };
}

/// Prints, for each keystroke slower than `overMs`, the tasks of at least `taskMs` on any
/// renderer's main thread during it, with what was inside them.
export function explain(events, latencies, { overMs = 10, taskMs = 3, log }) {
  const mains = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const keydowns = events
    .filter((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'keydown')
    .sort((x, y) => x.ts - y.ts);
  if (keydowns.length !== latencies.length) {
    log(`  trace: ${keydowns.length} keydowns in the trace, ${latencies.length} keystrokes measured; not explained`);
    return;
  }
  const pidA = keydowns[0].pid;
  const name = (pid) => (pid === pidA ? 'A' : `renderer ${pid}`);
  const tasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && mains.has(`${e.pid}:${e.tid}`) && e.dur >= taskMs * 1000);
  const inside = (task) => {
    const kids = events.filter((e) => e.pid === task.pid && e.tid === task.tid && e.ph === 'X' && e !== task
      && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + task.dur && (e.dur ?? 0) >= 500);
    const byName = new Map();
    for (const k of kids) {
      const label = k.name === 'EventDispatch' ? `Event:${k.args?.data?.type}`
        : k.name === 'TimerFire' ? 'TimerFire' : k.name === 'FunctionCall' ? 'FunctionCall' : k.name;
      byName.set(label, Math.max(byName.get(label) ?? 0, k.dur));
    }
    return [...byName].sort((x, y) => y[1] - x[1]).slice(0, 5).map(([k, d]) => `${k} ${(d / 1000).toFixed(1)}`).join(', ');
  };
  // Tasks of every renderer, the whole time: how often and how long.
  const perPid = new Map();
  for (const t of tasks) perPid.set(t.pid, [...(perPid.get(t.pid) ?? []), t.dur / 1000]);
  for (const [pid, durs] of perPid) {
    durs.sort((x, y) => y - x);
    log(`  trace: ${name(pid)}: ${durs.length} tasks ≥ ${taskMs} ms, longest ${durs.slice(0, 6).map((d) => d.toFixed(1)).join(', ')} ms`);
  }
  latencies.forEach((lat, i) => {
    if (lat <= overMs) return;
    const from = keydowns[i].ts;
    const to = from + lat * 1000;
    const during = tasks.filter((t) => t.ts < to && t.ts + t.dur > from);
    log(`  trace: keystroke ${i} ${lat.toFixed(1)} ms: ${during.map((t) => `${name(t.pid)} +${((t.ts - from) / 1000).toFixed(1)} ${(t.dur / 1000).toFixed(1)} ms [${inside(t)}]`).join('; ') || 'no task over the threshold'}`);
  });
}
