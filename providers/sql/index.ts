export { SqlConfig } from './sql.config';
export { sql } from './sql.provider';
export type { Pool } from 'pg';
