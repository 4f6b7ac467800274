/** The dashboard simulator: a real HTTP server imitating the dashboard's CSV export endpoint. */
export { startSimulator } from './server.ts'
export type { Simulator } from './server.ts'
export { DEFAULT_SEED, resolveSimulatorOptions } from './options.ts'
export type { SimLogger, SimulatorConfig, SimulatorOptions } from './options.ts'
export { faultRuleSchema, faultRuleListSchema } from './fault-rules.ts'
export type { FaultKind, FaultMatch, FaultRule, FaultRuleInput } from './fault-rules.ts'
export type { FaultRuleView } from './fault-engine.ts'
export type { RequestLogEntry } from './request-log.ts'
export { parseExportRequest } from './export-request.ts'
export type { ExportRequest, ParsedExportRequest } from './export-request.ts'
export type { SimulatorState } from './control.ts'
export type { PublishedDataMonth, SimulatorTruth } from './truth.ts'
export type { ClubPayments, ClubStatus, ClubValues, DistinguishedLetter } from './club-values.ts'
export { DEFAULT_DISTRICTS } from './model.ts'
export {
  clubHeader,
  summaryHeader,
  DIVISION_HEADER,
  DISTRICT_PERFORMANCE_HEADER,
  headerFor,
} from './headers.ts'
export {
  DEFAULT_SIM_PORT,
  parseSimulatorArgs,
  runSimulatorCli,
  serveSimulator,
  startSimulatorFromConfig,
} from './start-from-config.ts'
export type { SimulatorCliConfig } from './start-from-config.ts'
