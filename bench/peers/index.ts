import type { Contestant } from '../contestant';
import { avvio } from './avvio';
import { bandmaster } from './bandmaster';
import { effect } from './effect';
import { ideal, idealRegistered } from './ideal';
import { inversify } from './inversify';
import { nestFactories, nestModules, nestOnModuleInit } from './nest';
import { awilix, tsyringe, typedi } from './sync-containers';

export { bandmaster, ideal, idealRegistered };

/** Every contestant: the ideal scheduler (alone and behind registration by name) and bandmaster first. */
export const contestants: readonly Contestant[] = [ideal, idealRegistered, bandmaster, inversify, effect, nestFactories, nestOnModuleInit, nestModules, avvio, awilix, tsyringe, typedi];

export function contestant(name: string): Contestant {
  const c = contestants.find((x) => x.name === name);
  if (!c) throw new Error(`unknown contestant ${name}: one of ${contestants.map((x) => x.name).join(', ')}`);
  return c;
}
