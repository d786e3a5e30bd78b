/** A service with work to do once its dependencies are started: connect, warm caches, listen. */
export interface OnStart {
  /** Called once per start attempt; reject (or throw) to fail the attempt. Honour `signal`. */
  onStart(signal: AbortSignal): unknown;
}

/** A service with work to do before its dependencies stop: flush, close, drain. */
export interface OnStop {
  /** Called once per stop attempt; reject (or throw) to fail the attempt. Honour `signal`. */
  onStop(signal: AbortSignal): unknown;
}

/** A service that can tell whether it is healthy while it runs. */
export interface HealthCheck {
  /** Resolve when healthy; reject (or throw) when not. Honour `signal`. */
  healthCheck(signal: AbortSignal): unknown;
}
