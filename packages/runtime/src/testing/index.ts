/**
 * `@convoy/runtime/testing`: the store conformance suite every adapter passes, a simulated clock, and
 * the conformance convoys (reusable as examples in users' own tests).
 */
export { describeStoreConformance } from './store-conformance.ts';
export type { StoreFactory, StoreUnderTest } from './conformance/harness.ts';
export { ManualClock } from './manual-clock.ts';
export { createConvoyTestKit } from './test-kit.ts';
export type { ConvoyTestKit, ConvoyTestKitOptions } from './test-kit.ts';
export { conformanceConvoys, conformancePaymentTimeoutMs, EffectLog } from './conformance-convoys.ts';
export type { ConformanceConvoys } from './conformance-convoys.ts';
export {
  FlakyCarrier,
  shipmentConvoy,
  shipmentMachine,
  shipmentTimeoutMs,
} from './conformance/shipment-convoy.ts';
