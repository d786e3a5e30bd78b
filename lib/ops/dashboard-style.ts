// The dashboard's style sheet, sent inline with the page (its hash is in the page's CSP).

/** The page's style: dark text on light fills (contrast above 4.5:1), state never by colour alone. */
export const DASHBOARD_CSS = String.raw`
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#fff}
header{display:flex;gap:1.5rem;align-items:baseline;padding:.6rem 1rem;border-bottom:1px solid #d1d5db;background:#f9fafb}
h1{font-size:1.2rem;margin:0}h2{font-size:1.05rem;margin:1rem 0 .4rem}
main{padding:0 1rem 2rem}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem;z-index:2}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.live{margin:0 0 0 auto;color:#374151}.live.down{color:#991b1b;font-weight:600}
.hint{margin:.2rem 0;color:#374151}
.toolbar{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.4rem 0}
button{font:inherit;min-width:2.2rem;padding:.2rem .6rem;border:1px solid #4b5563;border-radius:4px;background:#fff;color:#111827;cursor:pointer}
button:focus-visible,input:focus-visible,.graph:focus-visible,summary:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
input{font:inherit;padding:.15rem .3rem;border:1px solid #4b5563;border-radius:4px}
.legend i{display:inline-block;width:.9rem;height:.9rem;margin:0 .2rem 0 .6rem;vertical-align:-2px;border-width:2px;border-style:solid}
.graph{overflow:auto;max-height:70vh;border:1px solid #d1d5db;border-radius:4px;background:#fff}
.graph svg{display:block}
.node rect{stroke-width:2}
.node text{font-size:12px;fill:#111827}
.node .name{font-weight:600}
.node:focus{outline:none}.node:focus rect,.node.selected rect{stroke:#1d4ed8;stroke-width:4}
.node[data-critical="true"] rect{stroke-width:3.5;stroke-dasharray:none}
.st-started,[data-state="started"] rect{fill:#d1fae5;stroke:#047857;border-color:#047857;background:#d1fae5}
.st-starting,[data-state="starting"] rect,[data-state="stopping"] rect{fill:#fef3c7;stroke:#b45309;border-color:#b45309;background:#fef3c7}
.st-waiting,[data-state="waiting"] rect{fill:#e0e7ff;stroke:#3730a3;border-color:#3730a3;background:#e0e7ff}
.st-failed,[data-state="failed"] rect{fill:#fee2e2;stroke:#b91c1c;border-color:#b91c1c;background:#fee2e2}
.st-standby,[data-state="standby"] rect{fill:#ecfeff;stroke:#0e7490;stroke-dasharray:6 3;border-color:#0e7490;background:#ecfeff}
.st-stopped,[data-state="stopped"] rect,[data-state="idle"] rect{fill:#f3f4f6;stroke:#4b5563;border-color:#4b5563;background:#f3f4f6}
.missing rect{fill:#fff;stroke:#b91c1c;stroke-dasharray:5 3}
.crit{border-color:#7c2d12;background:#fed7aa}
.edge{fill:none;stroke:#6b7280;stroke-width:1.2}.edge.critical{stroke:#c2410c;stroke-width:3}
.details{min-height:1.5rem;margin:.4rem 0;padding:.3rem .5rem;border-left:4px solid #1d4ed8;background:#eff6ff}
.details:empty{display:none}
#problems li,#health-list li{margin:.2rem 0}
.error{color:#991b1b}
.timeline .row{display:grid;grid-template-columns:minmax(8rem,14rem) 1fr 9rem;gap:.5rem;align-items:center;margin:2px 0}
.timeline .bar{position:relative;height:14px;background:#f9fafb;border:1px solid #e5e7eb}
.timeline .wait,.timeline .run{position:absolute;top:0;bottom:0}
.timeline .wait{background:#c7d2fe}.timeline .run{background:#059669}.timeline .row[data-state="failed"] .run{background:#b91c1c}
.timeline .row[data-critical="true"] .name{font-weight:700}.timeline .row[data-critical="true"] .bar{border:2px solid #c2410c}
table{border-collapse:collapse;margin-top:.4rem}th,td{border:1px solid #d1d5db;padding:.2rem .5rem;text-align:left;vertical-align:top}
`;
