import packageJson from '../../../package.json' with { type: 'json' }

/** `toastmasters-backfill/<version>`: lets the dashboard's operators see who is calling. */
export const DEFAULT_USER_AGENT = `toastmasters-backfill/${packageJson.version}`
