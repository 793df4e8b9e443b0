export const TOOLS_FILE: string;
export function readTools(): { chromium: string; python: string };
