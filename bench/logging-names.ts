/** The logging child's mode that calls pino alone, the floor of the fromPino mode (logging-child.ts). */
export const PINO_ALONE = 'pino alone, the same 4 lines (no container)';

/** The logging child's mode that writes the default logger's 4 lines with process.stdout.write alone: the floor of its info mode. */
export const STDOUT_ALONE = 'stdout.write alone, the same 4 lines (no container)';
