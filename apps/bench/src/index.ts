/** `@convoy/bench`: the benchmark harness (run it with `pnpm bench`). */
export { loadConfig } from './config.ts';
export type { BenchConfig } from './config.ts';
export { runBench } from './run-bench.ts';
export { OrderLedger, checkPassed, formatCheck } from './order-ledger.ts';
export type { CheckResult } from './order-ledger.ts';
export { orderMachine, orderEvents, contextProblem } from './order-machine.ts';
export { startRedis } from './redis-server.ts';
export type { BenchRedis, RedisPersistence } from './redis-server.ts';
