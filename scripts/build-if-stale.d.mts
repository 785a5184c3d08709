/** Types of build-if-stale.mjs (plain JavaScript: it runs before anything is compiled). */
export declare const DIST: string;
export declare const BUILD_INPUTS: readonly string[];
export declare function inputsHash(): string;
export declare function isStale(): boolean;
export declare function buildIfStale(): Promise<void>;
