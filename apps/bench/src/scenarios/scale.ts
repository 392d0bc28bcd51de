/**
 * Scale: the same backlog drain at 1,000 convoys and at `scaleConvoys` (100,000 by default), 4 events
 * (one whole order) per convoy, so the only difference is how many convoys Redis and the indexes hold.
 * Opt-in (`BENCH_ONLY=scale`): at 100k convoys it takes minutes.
 */
import type { Contender } from '../contenders/contender.ts';
import type { ScenarioResult } from '../results.ts';
import type { BenchSession } from '../session.ts';
import { backlogScenario } from './backlog.ts';

/** Backlog at a small and a large number of convoys; rows named by size, ratios to the small size. */
export async function scaleScenario(
  session: BenchSession,
  contenders: readonly Contender[],
  scaleConvoys: number,
  concurrency: number,
  reps: number,
): Promise<ScenarioResult> {
  const sizes = [1000, scaleConvoys];
  const rows: ScenarioResult['rows'] = [];
  let template: ScenarioResult | undefined;
  for (const convoys of sizes) {
    const label = `${convoys.toLocaleString('en-US')} convoys`;
    const result = await backlogScenario(
      session,
      contenders,
      { convoys, eventsPerConvoy: 4, concurrency },
      reps,
      {
        id: 'scale',
        title: `Scale: ${label}`,
        baselines: [],
        memory: true,
      },
    );
    template ??= result;
    for (const row of result.rows) rows.push({ ...row, contender: `${row.contender}, ${label}` });
  }
  return {
    ...template!,
    title: `Scale (backlog drain, 4 events per convoy, ${sizes.map((size) => size.toLocaleString('en-US')).join(' vs ')} convoys, concurrency ${concurrency})`,
    baselines: contenders.map((contender) => `${contender.name}, 1,000 convoys`),
    rows,
  };
}
