/** The logging child's mode that calls pino alone, the floor of the fromPino mode (logging-child.ts). */
export const PINO_ALONE = 'pino alone, the same 4 lines (no container)';
