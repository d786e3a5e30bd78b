import { Container } from './container';

let current: Container | undefined;

/**
 * The process-wide container, created on first use, so packages can share started clients.
 * The library itself never uses it: it is for applications.
 */
export function globalContainer(): Container {
  current ??= new Container();
  return current;
}

/** Replaces the process-wide container; returns the previous one. */
export function replaceGlobalContainer(container: Container): Container {
  const previous = globalContainer();
  current = container;
  return previous;
}
