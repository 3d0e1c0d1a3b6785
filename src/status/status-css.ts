/**
 * The status page's one stylesheet, served same-origin (the CSP allows no inline style) under a path that carries
 * its hash, so it is cached for a year and a new upkeep's stylesheet is fetched at once. Light and dark follow the
 * system. State colours come with words and glyphs; bar heights differ by state too.
 */
import { createHash } from 'node:crypto';

/** The stylesheet text. */
export const STATUS_CSS = `:root{color-scheme:light dark;--bg:#f7f7f8;--card:#fff;--text:#17181c;--muted:#5b5f6a;--line:#dcdde2;
--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--maint:#0969da;--none:#8c8f99}
@media (prefers-color-scheme:dark){:root{--bg:#0f1115;--card:#181b21;--text:#e8e9ed;--muted:#a2a6b1;--line:#2c3039;
--ok:#3fb950;--warn:#d29922;--bad:#f85149;--maint:#58a6ff;--none:#6e7380}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:56rem;margin:0 auto;padding:2rem 1rem}
h1{font-size:1.75rem;margin:0 0 .5rem}h2{font-size:1.15rem;margin:2rem 0 .75rem}h3{font-size:1rem;margin:0}
ul,ol{list-style:none;margin:0;padding:0}
a{color:var(--maint)}
.overall{font-size:1.25rem;font-weight:600;padding:1rem;border-radius:.5rem;background:var(--card);border:1px solid var(--line)}
.icon{display:inline-block;width:1.4em;text-align:center;font-weight:700}
.state-operational .icon,.state-operational.state{color:var(--ok)}
.state-degraded .icon,.state-degraded.state{color:var(--warn)}
.state-outage .icon,.state-outage.state{color:var(--bad)}
.state-maintenance .icon,.state-maintenance.state{color:var(--maint)}
.state-unknown .icon,.state-unknown.state{color:var(--muted)}
.overall.state-outage{border-color:var(--bad)}.overall.state-degraded{border-color:var(--warn)}
.unit,.announcement,.window{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:0 0 .75rem}
.unit-head{display:flex;justify-content:space-between;align-items:baseline;gap:1rem}
.state{font-weight:600;white-space:nowrap}
.meta{color:var(--muted);font-size:.875rem;margin:.25rem 0}
.bars{display:flex;align-items:flex-end;gap:2px;height:2.25rem;margin-top:.5rem}
.bar{flex:1 1 0;min-width:2px;border-radius:1px;height:100%}
.bar-up{background:var(--ok)}
.bar-partial{background:var(--warn);height:70%}
.bar-down{background:var(--bad);height:40%}
.bar-none{background:var(--none);height:15%;opacity:.5}
.bars-legend{display:flex;justify-content:space-between;color:var(--muted);font-size:.75rem;margin:.25rem 0 0}
.severity{font-weight:700;text-transform:uppercase;font-size:.75rem;letter-spacing:.05em}
.severity-critical{border-left:4px solid var(--bad)}.severity-warning{border-left:4px solid var(--warn)}
.severity-info{border-left:4px solid var(--maint)}
.announcement p{margin:.25rem 0}.announcement-body{white-space:pre-wrap}
footer{color:var(--muted);font-size:.875rem;margin-top:2rem}
`;

/** The stylesheet's content hash, part of its URL. */
export const STATUS_CSS_HASH = createHash('sha256').update(STATUS_CSS).digest('hex').slice(0, 12);

/** Where the page links its stylesheet, relative to /status/<app>: /status/assets/status.css?v=<hash>. */
export const STATUS_CSS_PATH = `assets/status.css?v=${STATUS_CSS_HASH}`;
