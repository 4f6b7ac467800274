import packageJson from '../../package.json' with { type: 'json' }

/** Recorded in every file the product writes (provenance). */
export const TOOL_VERSION: string = packageJson.version
