import 'reflect-metadata';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { Container, dashboardHandler } from '../../lib';
import { collectErrors, launchChromium, screenshot, serve } from './browser';

/** The page's `document`, as the functions evaluated in the browser see it (the specs compile without the DOM types). */
declare const document: { querySelectorAll(selector: string): { length: number } };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;

before(async () => {
  browser = await launchChromium();
  context = browser.context;
});
after(async () => {
  await browser?.close();
});

describe('dashboardHandler in Chromium', () => {
  it('shows every service with its state, follows a late start live, shows a failure and marks the critical path', async () => {
    const container = new Container({ logger: false });
    const late = deferred();
    container.register(
      { name: 'config', useFactory: () => ({}) },
      { name: 'db', deps: ['config'], useFactory: async () => (await sleep(150), {}) },
      { name: 'cache', deps: ['config'], useFactory: async () => (await sleep(20), {}) },
      { name: 'queue', deps: ['config'], useFactory: () => ({}) },
      { name: 'repo', deps: ['db'], useFactory: async () => (await sleep(30), {}) },
      { name: 'mailer', deps: ['queue'], useFactory: () => ({}) },
      { name: 'api', deps: ['repo', 'cache'], useFactory: () => ({}) },
      { name: 'worker', deps: ['queue', 'repo'], useFactory: () => ({}) },
      { name: 'search', required: false, useFactory: () => Promise.reject(new Error('connect ECONNREFUSED postgres://app:s3cret-pw@127.0.0.1:1/app')) },
      { name: 'late', required: false, deps: ['api'], useFactory: async () => (await late.promise, {}) },
    );
    const http = await serve(dashboardHandler(container));
    const page = await context.newPage();
    const errors = collectErrors(page);
    try {
      const boot = container.startAll();
      await page.goto(`${http.url}/bandmaster`);
      for (const name of container.status().map((s) => s.name)) {
        await page.locator(`[data-service="${name}"][data-state]`).waitFor({ state: 'attached', timeout: 5_000 });
      }
      await page.locator('[data-service="late"][data-state="starting"]').waitFor({ timeout: 5_000 });
      const t0 = Date.now();
      late.resolve();
      await page.locator('[data-service="late"][data-state="started"]').waitFor({ timeout: 1_000 });
      const liveMs = Date.now() - t0;
      assert.ok(liveMs < 1_000, `the page took ${liveMs} ms to show late started`);
      await boot;

      // the failure and its error, with the password masked, in the graph and in the problems list
      await page.locator('[data-service="search"][data-state="failed"]').waitFor({ timeout: 2_000 });
      const problem = await page.locator('[data-error-for="search"]').innerText();
      assert.match(problem, /ECONNREFUSED/);
      assert.match((await page.locator('[data-service="search"]').getAttribute('data-error')) ?? '', /ECONNREFUSED/);
      assert.doesNotMatch(await page.content(), /s3cret-pw/);

      // the critical path, as the container computed it, marked in the graph and the timeline
      const path = container.timeline().criticalPath;
      assert.ok(path.length >= 3, `critical path ${path.join(' -> ')}`);
      await page.waitForFunction((n) => document.querySelectorAll('[data-timeline][data-critical="true"]').length === n, path.length, { timeout: 2_000 });
      const marked = await page.$$eval('[data-service][data-critical="true"]', (els) => els.map((e) => e.getAttribute('data-service')));
      assert.deepEqual([...marked].sort(), [...path].sort());
      const timelineMarked = await page.$$eval('[data-timeline][data-critical="true"]', (els) => els.map((e) => e.getAttribute('data-timeline')));
      assert.deepEqual([...timelineMarked].sort(), [...path].sort());
      assert.ok((await page.locator('.edge.critical').count()) >= path.length - 1);

      // keyboard: Tab reaches a service, Enter shows its details
      await page.locator('[data-service="db"]').focus();
      await page.keyboard.press('Enter');
      assert.match(await page.locator('#details').innerText(), /db[\s\S]*started[\s\S]*Depends on: config/);

      const shot = await screenshot(page, 'dashboard-10-services');
      assert.ok(existsSync(shot));
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
      await http.close();
      await container.stopAll();
    }
  });

  it('renders a 1,000-service graph in under 2 s', async () => {
    const container = new Container({ logger: false });
    const LAYERS = 10;
    const WIDTH = 100;
    for (let layer = 0; layer < LAYERS; layer++) {
      for (let i = 0; i < WIDTH; i++) {
        const deps = layer === 0 ? [] : [`s${layer - 1}-${i}`, `s${layer - 1}-${(i * 7 + 3) % WIDTH}`];
        container.register({ name: `s${layer}-${i}`, deps: [...new Set(deps)], useFactory: () => ({}) });
      }
    }
    await container.startAll();
    const http = await serve(dashboardHandler(container));
    const page = await context.newPage();
    const errors = collectErrors(page);
    try {
      await page.goto(`${http.url}/bandmaster`, { waitUntil: 'commit' });
      await page.waitForFunction(() => document.querySelectorAll('[data-service][data-state="started"]').length === 1000, undefined, { timeout: 10_000, polling: 20 });
      // from the start of the navigation to the end of the first render, as the page marks it
      const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => ({ name: m.name, at: Math.round(m.startTime) })));
      const renderedMs = marks.find((m) => m.name === 'bandmaster:rendered')!.at;
      const detail = marks.map((m) => `${m.name.replace('bandmaster:', '')} at ${m.at} ms`).join(', ');
      assert.ok(renderedMs < 2_000, `1,000 services rendered in ${renderedMs} ms (${detail})`);
      console.log(`  1,000-service dashboard rendered in ${renderedMs} ms (${detail})`);
      await screenshot(page, 'dashboard-1000-services');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
      await http.close();
      await container.stopAll();
    }
  });
});
