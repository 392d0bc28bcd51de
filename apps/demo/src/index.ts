/**
 * `@convoy/demo`: the e-commerce order convoy and the scripted scenario that `pnpm demo` runs.
 */
export { createOrderConvoy, logNotifier, orderMachine } from './order-convoy.ts';
export type {
  CustomerNotifier,
  NotifyCustomerParams,
  OrderContext,
  OrderEvent,
  OrderItem,
} from './order-convoy.ts';
export { default as orderConvoy } from './order-convoy.ts';
export { runScenario } from './scenario.ts';
export type { OrderOutcome, ScenarioCheck, ScenarioOptions, ScenarioResult } from './scenario.ts';
export { runDemo, startDemoEnvironment, verifyDemo } from './demo.ts';
export type { DemoEnvironment, DemoEnvironmentOptions, DemoResult } from './demo.ts';
