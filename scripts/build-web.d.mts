/** Builds web/ into `outDir` with Vite; resolves with the number of files written. */
export function buildWeb(root: string, outDir: string): Promise<number>;
