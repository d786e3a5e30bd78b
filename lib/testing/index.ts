export { checkConformance, CONFORMANCE_STEPS } from './conformance';
export type { ConformanceOptions } from './conformance';
