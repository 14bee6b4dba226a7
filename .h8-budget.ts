import { checkMarkdownBudget } from './src/content/markdownBudget.ts';
import { renderMarkdown } from './src/markdown.ts';
const src = (await import('node:fs')).readFileSync('.h8-patho.ts', 'utf8');
const S = Number(process.argv[2] ?? 1);
const rep = (s: string, n: number) => s.repeat(Math.floor(n * S));
const body = src.slice(src.indexOf('const cases'), src.indexOf('for (const [k, f]'));
const cases = eval('(() => { ' + body.replace('const cases: Record<string, () => string> =', 'return ') + ' })()') as Record<string, () => string>;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (const [k, f] of Object.entries(cases)) {
  let s = f(); if (s.length > 1048000) s = s.slice(0, 1048000);
  let t = performance.now();
  const r = checkMarkdownBudget(s);
  const check = performance.now() - t;
  let render = -1;
  if (!r) { const a = cpu(); try { renderMarkdown(s, { siteOrigin: 'https://x.example' }); } catch {} render = cpu() - a; }
  console.log(k.padEnd(24), String(s.length).padStart(8), check.toFixed(0).padStart(6), render.toFixed(0).padStart(6), render > 300 ? '<<<' : '', r ? r.message.slice(0, 70) : 'accepted');
}
process.exit(0);
