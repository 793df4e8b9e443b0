export const TRAIN: number;
export function writeDemoData(options?: { force?: boolean }): string;
