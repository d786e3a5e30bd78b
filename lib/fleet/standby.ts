/**
 * What the start of an `exclusive` service returns on a replica where another replica holds the
 * lock: the boot puts the service (and its required dependents) in state `'standby'` instead of
 * `'started'`. Never an instance: nothing is injected with it.
 */
export const STANDBY_INSTANCE: unique symbol = Symbol('bandmaster:standby');
