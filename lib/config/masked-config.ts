// util.inspect.custom is this registered symbol: naming it directly keeps Node's types out of the
// package's declarations
const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;
import { maskSecrets } from '../env';

/**
 * Base of every provider's config class: `String(config)`, `JSON.stringify(config)` and
 * `util.inspect(config)` show it with secrets masked (`@Secret()` fields and passwords in URLs), so
 * a config is safe to log. Extend it instead of writing `toString`/`toJSON`/inspect by hand.
 *
 * @example
 * ```ts
 * class QueueConfig extends MaskedConfig {
 *   @IsString() url = 'amqp://127.0.0.1:5672';
 *   @Secret() @IsString() password = '';
 * }
 * String(new QueueConfig()); // 'QueueConfig {"url":"amqp://127.0.0.1:5672","password":""}'
 * ```
 */
export abstract class MaskedConfig {
  /** The class name and the masked fields as JSON. */
  toString(): string {
    return `${this.constructor.name} ${JSON.stringify(maskSecrets(this))}`;
  }

  /** The fields, secrets masked. */
  toJSON(): Record<string, unknown> {
    return maskSecrets(this);
  }

  /** What `util.inspect` and `console.log` show: the same as `toString()`. */
  [INSPECT](): string {
    return this.toString();
  }
}
