/**
 * `pnpm --filter @convoy/bench run profile:summary <file.cpuprofile>`: where a `node --cpu-prof` run
 * spent its CPU, as self time by function and by package, so hot spots can be named without DevTools.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The package (or Node internals) a script URL belongs to. */
export function packageOf(url: string): string {
  if (url === '') return '(native / idle / gc)';
  if (url.startsWith('node:')) return 'node internals';
  const workspace = /\/(packages|apps)\/([^/]+)\/src\//.exec(url);
  if (workspace) return `@convoy/${workspace[2]}`;
  const modules = url.split('/node_modules/');
  const last = modules[modules.length - 1];
  if (modules.length > 1 && last !== undefined) {
    const parts = last.split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  return url;
}

/** Self time in ms by function and by package. */
export function summarise(profile: CpuProfile): {
  byFunction: Map<string, number>;
  byPackage: Map<string, number>;
  totalMs: number;
} {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const node = nodes.get(id);
    if (!node) return;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split('/').slice(-2).join('/');
    const name = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    const pkg = packageOf(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
  });
  return { byFunction, byPackage, totalMs };
}

function top(map: Map<string, number>, count: number, totalMs: number): string {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(
      ([name, ms]) =>
        `${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${name}`,
    )
    .join('\n');
}

const file = process.argv[2];
if (file !== undefined) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const { byFunction, byPackage, totalMs } = summarise(profile);
  process.stdout.write(
    `total ${totalMs.toFixed(0)} ms\n\nby package (self time)\n${top(byPackage, 15, totalMs)}\n\n`,
  );
  process.stdout.write(`by function (self time)\n${top(byFunction, 40, totalMs)}\n`);
}
