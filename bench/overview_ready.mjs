// Times the console's overview in headless Chromium: navigation to the wall drawn (the
// firing count and the severity chart), signed in, median of 5 loads.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.KW_CONSOLE_DIR, "package.json"));
const { chromium } = require("playwright-core");
const browser = await chromium.launch({ executablePath: process.env.KW_CHROMIUM, args: ["--no-sandbox"] });
const page = await browser.newPage();
await page.goto(process.env.KW_URL + "/");
await page.fill("input[name=name]", "bench");
await page.fill("input[name=password]", process.env.KW_PASS);
await page.click("button[type=submit]");
await page.waitForSelector("#n-firing");
const times = [];
for (let i = 0; i < 5; i++) {
  const t0 = Date.now();
  await page.goto(process.env.KW_URL + "/");
  await page.waitForSelector("#sev-chart canvas");
  times.push(Date.now() - t0);
}
const firing = await page.textContent("#n-firing");
times.sort((a, b) => a - b);
console.log(`keepwatch overview page ready (signed in, ${firing} firing alerts): median ${times[2]} ms ` +
            `(min ${times[0]}, max ${times[4]}) over 5 loads in headless Chromium`);
await browser.close();
