// The demo as a new user meets it: served by `npm run demo`'s static server, opened in Chromium,
// trained for two epochs in a worker, then a drawn digit gets a prediction and 10 probabilities.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright';
import { serveStatic } from '../../scripts/serve.mjs';
import { writeDemoData } from '../../scripts/demo-data.mjs';
import { artifactsDir, launchChromium } from './chromium.js';

describe('demo page in Chromium', () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    writeDemoData();
    server = await serveStatic(new URL('../..', import.meta.url).pathname);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('trains in a worker, stays responsive, and predicts a drawn digit', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}demo/?epochs=2&autotrain`);
    await expect.poll(() => page.textContent('[data-testid=engine]')).toMatch(/engine: Wasm relaxed-simd/);
    await page.waitForSelector('body[data-trained=true]', { timeout: 60_000 });
    const status = (await page.textContent('[data-testid=status]'))!;
    expect(status).toMatch(/^done: 2 epochs/);
    const accuracy = Number(/test accuracy ([\d.]+)%/.exec(status)![1]);
    expect(accuracy).toBeGreaterThan(80);
    const frames = Number(/(\d+) animation frames/.exec((await page.textContent('#frames'))!)![1]);
    expect(frames).toBeGreaterThan(5); // requestAnimationFrame kept ticking while the worker trained

    // draw a "1": one vertical stroke in the middle of the pad
    const box = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++)
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + 0.07 * k));
    await page.mouse.up();
    await expect.poll(() => page.textContent('[data-testid=guess]')).toMatch(/^\d$/);
    expect(await page.locator('[data-testid=probs] li').count()).toBe(10);
    expect(await page.textContent('[data-testid=guess]')).toBe('1');
    expect(await page.locator('#samples figure').count()).toBe(24);
    await page.screenshot({ path: `${artifactsDir()}demo.png`, fullPage: true });
    expect(errors).toEqual([]);
  });
});
