/**
 * What the dashboard answers for a parsed export request (docs/upstream.md#what-each-request-shape-returns, docs/upstream.md#simulator-rules): which
 * snapshot, or an empty body with an echoing footer, or the error paths of the archive.
 */
import type { IsoDate } from '../shared/iso-date.ts'
import { programYearBounds, programYearOf, yearMonthOf } from '../shared/iso-date.ts'
import type { ExportRequest } from './export-request.ts'
import type { RenderTarget, SimModel } from './model.ts'

export type ExportPlan =
  | { kind: 'csv'; target: RenderTarget }
  | { kind: 'live-archive-path'; programYear: string }
  | { kind: 'unknown-program-year'; programYear: string }

function csv(
  req: ExportRequest,
  programYear: string,
  dataMonth: string,
  dataAsOf: IsoDate | null,
  footerAsOf: IsoDate,
): ExportPlan {
  const { report, districtId } = req
  return {
    kind: 'csv',
    target: { report, districtId, programYear, dataMonth, dataAsOf, footerAsOf },
  }
}

export function resolveExport(req: ExportRequest, model: SimModel): ExportPlan {
  const plan =
    req.pathProgramYear === null
      ? resolveRoot(req, model)
      : resolveArchive(req, req.pathProgramYear, model)
  return liveAnswerForAbsentDistrict(req, plan, model) ?? plan
}

/**
 * The per-district export ignores the program year for a district of the live year
 * (docs/upstream.md#lessons-of-2026): asked for a date on which the district did not exist
 * (a new id before the realignment), it answers the live year's current data with a 200.
 */
function liveAnswerForAbsentDistrict(
  req: ExportRequest,
  plan: ExportPlan,
  model: SimModel,
): ExportPlan | null {
  if (plan.kind !== 'csv' || req.districtId === null) return null
  if (model.districtsFor(plan.target.programYear).includes(req.districtId)) return null
  const cal = model.calendar
  const live = cal.liveProgramYear()
  if (!model.districtsFor(live).includes(req.districtId)) return null
  const latest = cal.latestAsOf()
  return csv(req, live, cal.liveDataMonth(), latest, latest)
}

function resolveRoot(req: ExportRequest, model: SimModel): ExportPlan {
  const cal = model.calendar
  const live = cal.liveProgramYear()
  const latest = cal.latestAsOf()
  if (req.monthEnd === null) return csv(req, live, cal.liveDataMonth(), latest, latest)
  const month = yearMonthOf(req.monthEnd)
  const monthYear = programYearOf(month)
  if (req.asOf === null) {
    const last = monthYear === live ? cal.lastPublishedAsOf(month) : null
    return csv(req, monthYear, month, last, last ?? latest)
  }
  // Dark window: a month of a year that is not live yet has no data on the root.
  if (monthYear > live) return csv(req, monthYear, month, null, req.asOf)
  const asOf = req.asOf
  const liveMonth = cal
    .dataMonthsOn(asOf)
    .filter((m) => programYearOf(m) === live && cal.isPublished(m, asOf))
    .at(-1)
  if (liveMonth === undefined) return csv(req, monthYear, month, null, asOf)
  return csv(req, live, liveMonth, asOf, asOf)
}

function resolveArchive(req: ExportRequest, programYear: string, model: SimModel): ExportPlan {
  const cal = model.calendar
  if (programYear === cal.liveProgramYear()) return { kind: 'live-archive-path', programYear }
  if (!model.isArchivedProgramYear(programYear))
    return { kind: 'unknown-program-year', programYear }
  const today = cal.today()
  if (req.monthEnd === null) {
    const june = yearMonthOf(programYearBounds(programYear).end)
    return csv(req, programYear, june, cal.lastPublishedAsOf(june), today)
  }
  const month = yearMonthOf(req.monthEnd)
  if (programYearOf(month) !== programYear)
    return csv(req, programYear, month, null, req.asOf ?? today)
  if (req.asOf === null) {
    const last = cal.lastPublishedAsOf(month)
    return csv(req, programYear, month, last, last ?? today)
  }
  const kept = !model.keepsOnlyMonthEnds(programYear) || req.asOf === cal.closingDate(month)
  const dataAsOf = kept && cal.isPublished(month, req.asOf) ? req.asOf : null
  return csv(req, programYear, month, dataAsOf, req.asOf)
}
