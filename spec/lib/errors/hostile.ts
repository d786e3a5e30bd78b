/** Thrown values that break naive rendering, each with a readable label for test names. */
export function hostileValues(): { readonly label: string; readonly value: unknown }[] {
  const messageBomb = new Error('hidden');
  Object.defineProperty(messageBomb, 'message', {
    get() {
      throw new Error('message getter');
    },
  });
  const nameBomb = new Error('');
  Object.defineProperty(nameBomb, 'name', {
    get() {
      throw new Error('name getter');
    },
  });
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const traps = new Proxy(
    {},
    {
      get: () => {
        throw new Error('get trap');
      },
      getPrototypeOf: () => {
        throw new Error('prototype trap');
      },
      ownKeys: () => {
        throw new Error('keys trap');
      },
    },
  );
  const cyclic = new AggregateError([]);
  (cyclic as unknown as { errors: unknown[] }).errors = [cyclic, cyclic];
  return [
    { label: 'an Error whose message getter throws', value: messageBomb },
    { label: 'an Error whose name getter throws', value: nameBomb },
    { label: 'a null-prototype object', value: Object.create(null) },
    {
      label: 'a Symbol.toPrimitive bomb',
      value: {
        [Symbol.toPrimitive]() {
          throw new Error('bomb');
        },
        toJSON() {
          throw new Error('toJSON bomb');
        },
      },
    },
    { label: 'a revoked Proxy', value: revoked.proxy },
    { label: 'a Proxy whose traps throw', value: traps },
    { label: 'an AggregateError holding a revoked Proxy', value: new AggregateError([revoked.proxy, messageBomb]) },
    { label: 'an AggregateError that holds itself', value: cyclic },
    { label: 'a string of 5,000,000 characters', value: 'x'.repeat(5_000_000) },
    { label: 'an Error whose message has 5,000,000 characters', value: new Error('y'.repeat(5_000_000)) },
    { label: 'an AggregateError of 100,000 errors', value: new AggregateError(Array.from({ length: 100_000 }, (_, i) => new Error(`e${i}`))) },
    { label: 'a symbol', value: Symbol('thrown') },
    { label: 'a BigInt inside an object', value: { n: 1n } },
    { label: 'undefined', value: undefined },
  ];
}
