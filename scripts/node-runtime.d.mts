/** Types of node-runtime.mjs (plain JavaScript: scripts/run.mjs checks the runtime before anything is compiled). */
export declare const SUPPORTED_NODE: string;
export declare function unsupportedRuntime(version?: string, range?: string): string | undefined;
