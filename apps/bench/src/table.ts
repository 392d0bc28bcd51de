/**
 * Prints results as Markdown tables (readable in a terminal, pasteable into docs/benchmarks.md): the
 * headline's median and [min–max], ratios to each baseline, the median of each further metric, and the
 * check verdict. A row whose check failed says FAILED: a fast wrong answer is not a result.
 */
import type { MachineInfo } from './machine-info.ts';
import type { ScenarioResult, ScenarioRow } from './results.ts';
import { spread } from './stats.ts';

/** Human number: thousands separators from 100 up, two significant decimals below. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function verdict(row: ScenarioRow): string {
  const failed = row.reps.filter((rep) => !rep.passed);
  if (failed.length > 0) return `**FAILED** ${failed.length}/${row.reps.length}: ${failed[0]?.failure ?? ''}`;
  const reorders = Math.max(...row.reps.map((rep) => rep.check.outOfOrder));
  return !row.ordered && reorders > 0 ? `ok (unordered: ${reorders} reorders)` : 'ok';
}

/**
 * Ratios to a baseline taken per repetition (contenders of one repetition run back to back, so they
 * share the machine's load at that moment), then summarised: robust against load that drifts.
 */
function repRatios(row: ScenarioRow, baseline: ScenarioRow | undefined): number[] {
  if (!baseline) return [];
  return row.reps.flatMap((rep, index) => {
    const base = baseline.reps[index];
    return rep.passed && base?.passed ? [rep.value / base.value] : [];
  });
}

function formatRatio(ratios: readonly number[]): string {
  const summary = spread(ratios);
  if (!Number.isFinite(summary.median)) return '–';
  return ratios.length === 1
    ? `${summary.median.toFixed(2)}×`
    : `${summary.median.toFixed(2)}× [${summary.min.toFixed(2)}–${summary.max.toFixed(2)}]`;
}

/** One scenario as a Markdown table. */
export function renderScenario(result: ScenarioResult): string {
  const metricNames = Object.keys(result.columns).filter((name) =>
    result.rows.some((row) => row.reps.some((rep) => Number.isFinite(rep.metrics[name]))),
  );
  const baselines = result.baselines.filter((name) => result.rows.some((row) => row.contender === name));
  const header = [
    'contender',
    `${result.unit} median [min–max]`,
    ...baselines.map((name) => `× ${name}`),
    ...(result.ratioColumns ?? []).map((column) => `× ${column.label}`),
    ...metricNames.map((name) => result.columns[name] ?? name),
    'check',
  ];
  const lines = [
    `### ${result.title}`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
  ];
  for (const row of result.rows) {
    const values = spread(row.reps.filter((rep) => rep.passed).map((rep) => rep.value));
    const cells = [
      row.contender,
      Number.isFinite(values.median)
        ? `${formatNumber(values.median)} [${formatNumber(values.min)}–${formatNumber(values.max)}]`
        : '–',
      ...baselines.map((name) =>
        formatRatio(
          repRatios(
            row,
            result.rows.find((candidate) => candidate.contender === name),
          ),
        ),
      ),
      ...(result.ratioColumns ?? []).map((column) => {
        const baseline = column.baselineOf(row.contender);
        const baselineRow = result.rows.find((candidate) => candidate.contender === baseline);
        return baselineRow === undefined ? '–' : formatRatio(repRatios(row, baselineRow));
      }),
      ...metricNames.map((name) =>
        formatNumber(spread(row.reps.map((rep) => rep.metrics[name] ?? Number.NaN)).median),
      ),
      verdict(row),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('', ...result.notes.map((note) => `- ${note}`), '');
  return lines.join('\n');
}

/** The header: machine, date, settings. */
export function renderHeader(info: MachineInfo, settings: string, startedAt: Date): string {
  return [
    `## Convoy bench — ${startedAt.toISOString()}`,
    '',
    `- Machine: ${info.cpuModel}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.platform}, load average ${info.loadAverage.toFixed(2)} at start`,
    `- Node ${info.node}, redis-server ${info.redisVersion} (spawned by the bench on a loopback port, noeviction)`,
    `- Settings: ${settings}`,
    '',
  ].join('\n');
}
