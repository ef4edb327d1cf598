// Watching a server from outside while it is under load: its resident memory (/proc/<pid>/status), /ready, and the
// time chat.send takes for one more user.
import { mutate } from './accounts.ts';
import { rssOf } from './processes.ts';

export interface Watch {
  peakRss(): number;
  /** Stops the samplers and returns what they saw. */
  stop(): Promise<{ peakRss: number; readyChecks: number; readyFailures: string[]; sendMs: number[] }>;
}

export function watchServer(options: {
  base: string;
  pid: number;
  probe?: { headers: Record<string, string>; chatId: string };
}): Watch {
  let stopped = false;
  let peakRss = rssOf(options.pid);
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, rssOf(options.pid));
  }, 200);

  let readyChecks = 0;
  const readyFailures: string[] = [];
  const ready = (async () => {
    while (!stopped) {
      readyChecks++;
      const status = await fetch(`${options.base}/ready`, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.status,
        (e: Error) => e.name,
      );
      if (status !== 200) readyFailures.push(String(status));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();

  const sendMs: number[] = [];
  const probe = options.probe;
  const sends = (async () => {
    while (probe && !stopped) {
      const started = performance.now();
      await mutate(options.base, probe.headers, 'chat.send', { chatId: probe.chatId, text: 'probe' }).then(
        () => sendMs.push(performance.now() - started),
        () => sendMs.push(Number.POSITIVE_INFINITY),
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();

  return {
    peakRss: () => peakRss,
    async stop() {
      stopped = true;
      clearInterval(rssTimer);
      await Promise.all([ready, sends]);
      return { peakRss, readyChecks, readyFailures, sendMs };
    },
  };
}
