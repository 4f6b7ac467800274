/** Alerts (bounded list, log, optional webhook) and the job events that raise them. */
export { createAlertManager } from './alert-manager.ts'
export type {
  Alert,
  AlertKind,
  AlertManager,
  AlertManagerConfig,
  AlertQuery,
  AlertStore,
  AlertSeverity,
} from './alert-manager.ts'
export { createJobAlerts } from './job-alerts.ts'
