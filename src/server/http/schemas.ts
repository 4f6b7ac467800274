/** Request schemas shared by the routes; messages name the rule so a 400 explains itself. */
import { z } from 'zod'
import { normalizeDistrictId } from '../../shared/district-id.ts'
import { isIsoDate } from '../../shared/iso-date.ts'

export const isoDate = z
  .string()
  .refine(isIsoDate, { message: 'must be a real calendar date written YYYY-MM-DD' })

const DISTRICT_ID_RULE = 'must be 1-4 letters or digits (e.g. 02, 61, F)'

/** A data month, `YYYY-MM` (docs/architecture.md#one-as-of-two-data-months). */
export const yearMonth = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM, e.g. 2026-07')

/** `?dataMonth=`: which of an as-of's data months to read; absent = the as-of's default. */
export const dataMonthQuery = z.strictObject({ dataMonth: yearMonth.optional() })

export const districtId = z.string().transform((v, ctx) => {
  const id = normalizeDistrictId(v)
  if (id === null) {
    ctx.addIssue({ code: 'custom', message: DISTRICT_ID_RULE })
    return z.NEVER
  }
  return id
})

export const districtList = z
  .array(districtId)
  .min(1, { message: 'must list at least one district' })
  .max(500)

/** `from`/`to` query with both optional but, when both given, not reversed. */
export const dateRangeQuery = z
  .strictObject({ from: isoDate.optional(), to: isoDate.optional() })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: 'to must not be before from',
    path: ['to'],
  })

export const requiredRangeQuery = z
  .strictObject({
    from: isoDate,
    to: isoDate,
    districts: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (!v) return undefined
        const ids = v.split(',').map(normalizeDistrictId)
        if (ids.some((id) => id === null)) {
          ctx.addIssue({
            code: 'custom',
            message: 'must be a comma-separated list of district ids (e.g. 02,61,F)',
          })
          return z.NEVER
        }
        return ids as string[]
      }),
  })
  .refine((q) => q.from <= q.to, { message: 'to must not be before from', path: ['to'] })
