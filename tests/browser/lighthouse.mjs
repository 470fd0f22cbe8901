// Lighthouse on each page, in one Chromium: node lighthouse.mjs <base URL> <path>...
// Prints {path: {scores: {category: 0..100}, failed: {category: [audits]}}} as JSON. Chromium is Debian's
// (CHROME_PATH, default /usr/bin/chromium); nothing is downloaded and no request leaves the machine.
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const [base, ...paths] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-background-networking", "--disable-gpu",
                "--disable-component-update", "--no-first-run", "--disable-sync"],
});
const report = {};
try {
  for (const path of paths) {
    const result = await lighthouse(base + path, {
      port: chrome.port, output: "json", logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
    });
    const lhr = result.lhr;
    const scores = Object.fromEntries(Object.entries(lhr.categories)
      .map(([key, category]) => [key, Math.round((category.score ?? 0) * 100)]));
    // Per category, the audits that cost it points: what to fix when a score is below 100.
    const failed = Object.fromEntries(Object.entries(lhr.categories).map(([key, category]) => [key,
      category.auditRefs.filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null
                                         && lhr.audits[ref.id].score < 1)
        .map((ref) => `${ref.id}: ${lhr.audits[ref.id].title}`)]));
    report[path] = { scores, failed, runtimeError: lhr.runtimeError?.message ?? null };
  }
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(report));
