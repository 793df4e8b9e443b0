export const ISOLATION_HEADERS: Record<string, string>;
export function serveStatic(
  root: string,
  options?: { port?: number; host?: string; headers?: Record<string, string> },
): Promise<{ url: string; close(): Promise<void> }>;
