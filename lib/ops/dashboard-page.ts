import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BandmasterError, describeCause } from '../errors';
import { DASHBOARD_CLIENT } from './dashboard-client';
import { DASHBOARD_CSS } from './dashboard-style';

/** The page and the Content-Security-Policy that allows exactly its inline script and style. */
export interface DashboardPage {
  readonly html: string;
  readonly csp: string;
}

/** dagre's self-contained browser build (graphlib included), inlined so the page needs no network. */
function dagreSource(): string {
  try {
    const main = require.resolve('@dagrejs/dagre');
    return readFileSync(join(dirname(main), 'dagre.min.js'), 'utf8');
  } catch (err) {
    throw new BandmasterError('InvalidArgument', {
      service: 'dashboardHandler',
      detail: `the graph layout library @dagrejs/dagre could not be read (reinstall bandmaster's dependencies: npm install): ${describeCause(err)}`,
    });
  }
}

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// a script's text ends at the first `</script`, whatever it is inside of
const inlineScript = (s: string): string => s.replace(/<\/(script)/gi, '<\\/$1');

/** Builds the dashboard page for a base path (built once per handler, on the first request). */
export function dashboardPage(base: string): DashboardPage {
  const dagre = inlineScript(dagreSource());
  const client = inlineScript(DASHBOARD_CLIENT);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bandmaster dashboard</title>
<link rel="icon" href="data:,">
<style>${DASHBOARD_CSS}</style>
</head>
<body data-base="${escapeHtml(base)}">
<a class="skip" href="#services-table">Skip to the service table</a>
<header>
  <h1>bandmaster</h1>
  <p id="summary" role="status">Loading…</p>
  <p id="live" class="live">connecting…</p>
</header>
<main>
  <section aria-labelledby="graph-title">
    <h2 id="graph-title">Dependency graph</h2>
    <p class="hint">Dependencies on the left, their dependents to the right. Tab to a service and press Enter for its details; + and − zoom, 0 fits.</p>
    <div class="toolbar" role="toolbar" aria-label="Graph view">
      <button type="button" id="zoom-out" aria-label="Zoom out">−</button>
      <button type="button" id="zoom-in" aria-label="Zoom in">+</button>
      <button type="button" id="zoom-fit">Fit</button>
      <label>Find a service <input id="find" type="search" list="service-names" autocomplete="off"></label>
      <datalist id="service-names"></datalist>
      <span class="legend" aria-hidden="true"><i class="st-started"></i>started <i class="st-starting"></i>starting <i class="st-waiting"></i>waiting <i class="st-failed"></i>failed <i class="st-standby"></i>standby <i class="st-stopped"></i>stopped or idle <i class="crit"></i>critical path</span>
    </div>
    <div id="graph" class="graph" tabindex="0" aria-describedby="graph-title"></div>
    <div id="details" class="details" aria-live="polite"></div>
  </section>
  <section aria-labelledby="problems-title">
    <h2 id="problems-title">Problems</h2>
    <ul id="problems"></ul>
  </section>
  <section aria-labelledby="health-title">
    <h2 id="health-title">Health</h2>
    <p id="health"></p>
    <ul id="health-list"></ul>
  </section>
  <section aria-labelledby="timeline-title">
    <h2 id="timeline-title">Boot timeline</h2>
    <p id="timeline-summary"></p>
    <div id="timeline" class="timeline"></div>
  </section>
  <section aria-labelledby="table-title">
    <h2 id="table-title">Services</h2>
    <details id="services-details"><summary id="services-summary">All services as a table</summary>
    <table id="services-table"><thead><tr><th scope="col">Service</th><th scope="col">State</th><th scope="col">Required</th><th scope="col">Attempts</th><th scope="col">Restarts</th><th scope="col">Depends on</th><th scope="col">Last error</th></tr></thead><tbody></tbody></table>
    </details>
  </section>
  <div id="announce" class="sr-only" aria-live="assertive"></div>
</main>
<script>${dagre}</script>
<script>${client}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src ${hash(dagre)} ${hash(client)}`,
    `style-src ${hash(DASHBOARD_CSS)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}
