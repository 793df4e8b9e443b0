// threads from the shipped bundle (dist/index.js) in Chromium pages: served with the two isolation
// headers, a page trains on two threads to the bits of one thread; served without them, asking for
// two threads is an error that names the headers the page needs, and threads: 'auto' falls back to 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright';
import { ISOLATION_HEADERS, serveStatic } from '../../scripts/serve.mjs';
import { launchChromium } from './chromium.js';

interface PageResult {
  isolated: boolean;
  auto?: number;
  build?: string;
  threads?: number;
  same?: boolean;
  error?: string;
  unexpected?: string;
}

describe('threads in Chromium pages', () => {
  let browser: Browser;
  const servers: { url: string; close(): Promise<void> }[] = [];
  const root = new URL('../..', import.meta.url).pathname;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
  });

  async function open(headers: Record<string, string>): Promise<PageResult> {
    const server = await serveStatic(root, { headers });
    servers.push(server);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}test/browser/fixtures/threads/`);
    await page.waitForFunction(() => 'result' in window, null, { timeout: 60_000 });
    const result = await page.evaluate(() => (window as unknown as { result: PageResult }).result);
    expect(errors).toEqual([]);
    await page.close();
    return result;
  }

  it('cross-origin isolated: two threads, the bits of one', async () => {
    const r = await open(ISOLATION_HEADERS);
    expect(r.unexpected).toBeUndefined();
    expect(r).toMatchObject({ isolated: true, build: 'relaxed-simd', threads: 2, same: true });
    expect(r.auto).toBeGreaterThanOrEqual(1);
  });

  it('not isolated: threads: 2 is a clear error naming the headers; auto is 1', async () => {
    const r = await open({});
    expect(r.unexpected).toBeUndefined();
    expect(r).toMatchObject({ isolated: false, auto: 1, build: 'relaxed-simd' });
    expect(r.error).toMatch(/^Error: simdnet: threads: 2 needs/);
    expect(r.error).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
    expect(r.error).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
  });
});
