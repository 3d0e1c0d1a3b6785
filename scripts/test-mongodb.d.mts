/** Types for scripts/test-mongodb.mjs, so TypeScript benches can start the FerretDB test server. */
export declare const ferretdbBinary: string;
export declare function buildFerretdb(): void;
export declare function startTestMongo(): Promise<{ url: string; stop(): void }>;
