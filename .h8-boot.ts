import { checkMarkdownBudget } from './src/content/markdownBudget.ts';
const big = 'word '.repeat(8000) + '\n\n' + '*a* '.repeat(1000);
for (let i = 0; i < 3; i++) { const t = performance.now(); const r = checkMarkdownBudget(big); console.log('plain', (performance.now() - t).toFixed(0), r?.message ?? 'ok'); }
const bad = '> a\nb\n'.repeat(100000);
for (let i = 0; i < 3; i++) { const t = performance.now(); const r = checkMarkdownBudget(bad); console.log('bad', (performance.now() - t).toFixed(0), r?.message.slice(0, 30) ?? 'ok'); }
await new Promise((r) => setTimeout(r, 3000));
for (let i = 0; i < 2; i++) { const t = performance.now(); const r = checkMarkdownBudget(bad); console.log('bad after pause', (performance.now() - t).toFixed(0), r?.message.slice(0, 30) ?? 'ok'); }
process.exit(0);
