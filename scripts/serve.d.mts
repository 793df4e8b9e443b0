export function serveStatic(root: string, options?: { port?: number; host?: string }): Promise<{ url: string; close(): Promise<void> }>;
