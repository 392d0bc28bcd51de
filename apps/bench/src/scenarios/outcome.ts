/** Turning a repetition's check into pass/fail, the same way in every scenario. */
import type { Contender } from '../contenders/contender.ts';
import { checkPassed, formatCheck, type CheckResult } from '../order-ledger.ts';

/**
 * A repetition passes when nothing was lost or duplicated, the stored state is right, and, for a
 * contender that promises order, nothing was reordered. A baseline without order only reports reorders.
 */
export function judge(
  contender: Pick<Contender, 'ordered'>,
  check: CheckResult,
  timeout: string | null,
): { readonly passed: boolean; readonly failure?: string } {
  if (timeout !== null) return { passed: false, failure: `${timeout}; ${formatCheck(check)}` };
  const relevant = contender.ordered ? check : { ...check, outOfOrder: 0 };
  return checkPassed(relevant) ? { passed: true } : { passed: false, failure: formatCheck(check) };
}
