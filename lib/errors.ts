// The errors of bandmaster; the code lives in lib/errors/ (class, messages, rendering of causes).
export { BandmasterError, isBandmasterError, dependencyChain, hasBrand } from './errors/bandmaster-error';
export type { ErrorKind, BandmasterErrorFields } from './errors/bandmaster-error';
export { BootError, ShutdownError } from './errors/aggregate';
export { describeCause, describeValue, cut, MAX_RENDERED_LENGTH } from './errors/render';
