// Where the slow keystrokes lose their time (`--trace`): a Chromium trace of the typing, and for
// every keystroke over the target, the main-thread tasks of each device that overlap it.
//
// The trace is browser-wide (every renderer process). Device A's renderer is the one that
// dispatched the keydowns; its i-th keydown in the trace is keystroke i, which maps the page
// clock of the latencies onto the trace clock.

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink.user_timing', ...(process.env.TRACE_STACKS ? ['disabled-by-default-v8.cpu_profiler'] : [])].join(',');

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
export async function explain(events, latencies, { overMs = 10, taskMs = 3, log }) {
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
  // Where each renderer's main thread spent its time while typing, by kind of work (the
  // outermost events inside tasks; nested ones are counted with their parent).
  const renderers = new Set([...mains].map((m) => Number(m.split(':')[0])));
  for (const pid of renderers) {
    const on = events.filter((e) => e.pid === pid && mains.has(`${e.pid}:${e.tid}`) && e.ph === 'X' && e.ts >= keydowns[0].ts);
    const all = on.filter((e) => e.name === 'RunTask');
    const sum = new Map();
    for (const t of all) {
      const kids = on.filter((e) => e !== t && e.ts >= t.ts && e.ts < t.ts + t.dur && e.name !== 'RunTask');
      // outermost only: not inside another kid
      for (const k of kids) {
        if (kids.some((o) => o !== k && o.ts <= k.ts && o.ts + o.dur >= k.ts + k.dur && (o.ts < k.ts || o.dur > k.dur))) continue;
        const label = k.name === 'EventDispatch' ? `Event:${k.args?.data?.type}` : k.name;
        sum.set(label, (sum.get(label) ?? 0) + (k.dur ?? 0));
      }
    }
    const busy = all.reduce((x, t) => x + t.dur, 0);
    const top = [...sum].sort((x, y) => y[1] - x[1]).slice(0, 8).map(([k, d]) => `${k} ${(d / 1000 / latencies.length).toFixed(2)}`).join(', ');
    log(`  trace: ${name(pid)} busy ${(busy / 1000 / latencies.length).toFixed(2)} ms/key: ${top}`);
  }
  if (process.env.TRACE_DUMP) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(process.env.TRACE_DUMP, JSON.stringify({ pidA, events }));
  }
  latencies.forEach((lat, i) => {
    if (lat <= overMs) return;
    const from = keydowns[i].ts;
    const to = from + lat * 1000;
    const during = tasks.filter((t) => t.ts < to && t.ts + t.dur > from);
    log(`  trace: keystroke ${i} ${lat.toFixed(1)} ms: ${during.map((t) => `${name(t.pid)} +${((t.ts - from) / 1000).toFixed(1)} ${(t.dur / 1000).toFixed(1)} ms [${inside(t)}]`).join('; ') || 'no task over the threshold'}`);
  });
}

/// Samples the JavaScript and wasm functions of one page (CDP Profiler) while it runs; `stop()`
/// prints the functions with the most time, by self time and including what they call.
export async function startProfile(page, who) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  return {
    async stop({ keystrokes, log, top = 25 }) {
      const { profile } = await cdp.send('Profiler.stop');
      await cdp.detach().catch(() => {});
      if (process.env.PROFILE_DUMP) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(`${process.env.PROFILE_DUMP}-${who}.json`, JSON.stringify(profile));
      }
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      const parent = new Map();
      for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      const self = new Map();
      const total = new Map();
      const label = (n) => n.callFrame.functionName || `(${n.callFrame.url.split('/').pop() || 'anonymous'})`;
      profile.samples.forEach((id, i) => {
        const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
        const n = byId.get(id);
        if (!n || ['(idle)', '(program)', '(garbage collector)'].includes(n.callFrame.functionName)) return;
        self.set(label(n), (self.get(label(n)) ?? 0) + dt);
        const seen = new Set();
        for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
          const l = label(byId.get(cur));
          if (seen.has(l)) continue;
          seen.add(l);
          total.set(l, (total.get(l) ?? 0) + dt);
        }
      });
      const show = (m) => [...m].sort((x, y) => y[1] - x[1]).slice(0, top).map(([k, v]) => `    ${(v / keystrokes).toFixed(3)} ms/key  ${k.slice(0, 140)}`).join('\n');
      log(`  profile ${who}, self:\n${show(self)}`);
      log(`  profile ${who}, inclusive:\n${show(total)}`);
    },
  };
}
