// P3b's lines: live replies reached, text whole and in order, memory per live reply, send p50, /ready.
import { kib, mib, ms, note, percentile, printLine } from '../lib/report.ts';

export interface FollowerResult {
  replies: number;
  complete: number;
  missingText: number;
  reordered: number;
  unfinished: number;
  errors: number;
  errorSamples: string[];
}

interface Outcome {
  results: FollowerResult[];
  watched: { peakRss: number; readyChecks: number; readyFailures: string[]; sendMs: number[] };
  rssBefore: number;
  peakLive: number;
  rssAtPeakLive: number;
  replies: number;
  oneRequest: boolean;
  settings: string;
}

const sum = (results: FollowerResult[], key: keyof Omit<FollowerResult, 'errorSamples'>) =>
  results.reduce((total, r) => total + r[key], 0);

export function printResults(o: Outcome) {
  const { results, watched } = o;
  const complete = sum(results, 'complete');
  const broken = sum(results, 'missingText') + sum(results, 'reordered');
  const failed = sum(results, 'errors') + sum(results, 'unfinished');
  const perReply = o.peakLive > 0 ? (o.rssAtPeakLive - o.rssBefore) / o.peakLive : Number.NaN;
  const sendP50 = percentile(watched.sendMs, 50);
  note(`${o.oneRequest ? 'chat.sendAndStream' : 'chat.send then chat.stream'}; ${o.settings}`);
  note(
    `server RSS ${mib(o.rssBefore)} before, ${mib(o.rssAtPeakLive)} at peak live, ${mib(watched.peakRss)} peak; ` +
      `${complete} of ${o.replies} replies complete, ${failed} failed or unfinished` +
      (failed > 0
        ? ` (${results
            .flatMap((r) => r.errorSamples)
            .slice(0, 3)
            .join(' / ')})`
        : ''),
  );
  printLine({
    id: 'P3b',
    what: 'live replies at once on one server',
    baseline: '—',
    figure: `${o.peakLive} live (of ${o.replies} started)`,
    ratio: '—',
    target: '2000 live',
    met: o.peakLive >= 2000,
  });
  printLine({
    id: 'P3b',
    what: 'replies with dropped or reordered deltas',
    baseline: '—',
    figure: `${broken} (and ${failed} failed or unfinished)`,
    ratio: '—',
    target: '0, every reply complete',
    met: broken === 0 && complete === o.replies,
  });
  printLine({
    id: 'P3b',
    what: 'server RSS growth per live reply',
    baseline: '—',
    figure: kib(perReply),
    ratio: '—',
    target: '< 64 KiB',
    met: perReply < 64 * 1024,
  });
  printLine({
    id: 'P3b',
    what: `chat.send p50 for one more user during the load (${watched.sendMs.length} sends)`,
    baseline: '—',
    figure: ms(sendP50),
    ratio: '—',
    target: '≤ 50 ms',
    met: sendP50 <= 50,
  });
  printLine({
    id: 'P3b',
    what: '/ready during the load',
    baseline: '—',
    figure: `${watched.readyChecks - watched.readyFailures.length} of ${watched.readyChecks} checks 200${watched.readyFailures.length > 0 ? ` (others: ${[...new Set(watched.readyFailures)].join(', ')})` : ''}`,
    ratio: '—',
    target: '200 throughout',
    met: watched.readyFailures.length === 0,
  });
}
