/** The measures of the all-districts trend (no zod here: the page imports this at run time). */
export const SERIES_MEASURES = ['paidClubs', 'activeClubs', 'paymentsYtd', 'distinguished'] as const
export type SeriesMeasure = (typeof SERIES_MEASURES)[number]
