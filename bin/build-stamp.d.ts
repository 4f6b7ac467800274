export declare const PACKAGE_ROOT: string
export declare const NODE_OUT_DIR: string
export declare const STAMP_FILE: string
export declare const ENTRIES: { cli: string; server: string }
export declare const COMPILED_CLI: string
export declare const COMPILED_SERVER: string
export type BuildState = 'fresh' | 'stale' | 'missing'
export declare function buildState(root?: string): BuildState
