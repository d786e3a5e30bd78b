// The errors of bandmaster; the code lives in lib/errors/ (class, messages, rendering of causes).
export { BandmasterError, isBandmasterError, dependencyChain, hasBrand } from './bandmaster-error';
export type { ErrorKind, BandmasterErrorFields } from './bandmaster-error';
export { BootError, ShutdownError } from './aggregate';
export { describeCause, describeValue, cut, MAX_RENDERED_LENGTH } from './render';
