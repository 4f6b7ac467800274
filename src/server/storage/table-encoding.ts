/**
 * The table encoding of district files (schema version 2, docs/decisions/district-file-encoding.md):
 * an array of objects that share their keys (clubs, divisions, areas) is written as one list of
 * keys and one array of values per element, so the keys are not repeated per club. Lossless for
 * any JSON: decoding gives back a value deep-equal to the encoded one, keys in the same order.
 *
 * Encoded forms, recognised by their one marker key:
 * - `{"$t": template, "r": rows}`: a table. A template entry is a key (`"clubName"`) or a key with
 *   the template of the objects found under it (`["awards", [...]]`). A row has one slot per
 *   entry: a key's slot holds the encoded value; a nested entry's slot holds the object's own row,
 *   `null`, or `{"$v": encoded value}` for anything that is not an object of exactly those keys.
 *   A row that is not an array is `{"$v": encoded element}` (an element whose keys differ).
 * - `{"$o": {...}}`: a plain object that itself has a key `$t`, `$o` or `$v` (never ambiguous).
 */
import { StorageCorruptError } from './errors.ts'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }
type Template = (string | [string, Template])[]

const TABLE = '$t'
const ROWS = 'r'
const LITERAL_OBJECT = '$o'
const LITERAL_VALUE = '$v'

/** Arrays shorter than this stay as they are: a template costs more than it saves. */
const MIN_TABLE_ROWS = 2

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function hasMarker(obj: JsonObject): boolean {
  return (
    Object.hasOwn(obj, TABLE) ||
    Object.hasOwn(obj, LITERAL_OBJECT) ||
    Object.hasOwn(obj, LITERAL_VALUE)
  )
}

/** Sets a key even when it is `__proto__` (a CSV header can be any text). */
function setKey(obj: JsonObject, key: string, value: Json): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
  } else obj[key] = value
}

export function encodeTables(value: unknown): Json {
  if (Array.isArray(value)) {
    if (value.length >= MIN_TABLE_ROWS && value.every(isObject)) return encodeTable(value)
    return value.map(encodeTables)
  }
  if (!isObject(value)) return value as Json
  const out: JsonObject = {}
  for (const key of Object.keys(value)) setKey(out, key, encodeTables(value[key]))
  return hasMarker(value) ? { [LITERAL_OBJECT]: out } : out
}

function encodeTable(objects: JsonObject[]): Json {
  const template = templateOf(objects)
  return { [TABLE]: template, [ROWS]: objects.map((o) => encodeElement(template, o)) }
}

/** Keys of the first element; a key is nested where any element holds an object under it. */
function templateOf(objects: readonly JsonObject[]): Template {
  const first = objects[0] ?? {}
  return Object.keys(first).map((key) => {
    const nested: JsonObject[] = []
    for (const o of objects) {
      const v = o[key]
      if (isObject(v)) nested.push(v)
    }
    return nested.length > 0 ? [key, templateOf(nested)] : key
  })
}

function fitsTemplate(template: Template, obj: JsonObject): boolean {
  const keys = Object.keys(obj)
  if (keys.length !== template.length) return false
  for (let i = 0; i < keys.length; i++) {
    const entry = template[i]!
    if (keys[i] !== (typeof entry === 'string' ? entry : entry[0])) return false
  }
  return true
}

function encodeElement(template: Template, obj: JsonObject): Json {
  return fitsTemplate(template, obj)
    ? encodeRow(template, obj)
    : { [LITERAL_VALUE]: encodeTables(obj) }
}

function encodeRow(template: Template, obj: JsonObject): Json[] {
  const row: Json[] = new Array<Json>(template.length)
  for (let i = 0; i < template.length; i++) {
    const entry = template[i]!
    if (typeof entry === 'string') {
      row[i] = encodeTables(obj[entry])
      continue
    }
    const v = obj[entry[0]] as Json
    if (v === null) row[i] = null
    else if (isObject(v) && fitsTemplate(entry[1], v)) row[i] = encodeRow(entry[1], v)
    else row[i] = { [LITERAL_VALUE]: encodeTables(v) }
  }
  return row
}

/** The value `encodeTables` was given. Throws StorageCorruptError naming `what` and the path. */
export function decodeTables(value: unknown, what: string, at = 'statistics'): Json {
  if (Array.isArray(value)) return value.map((v, i) => decodeTables(v, what, `${at}[${i}]`))
  if (!isObject(value)) return value as Json
  if (Object.hasOwn(value, TABLE)) return decodeTable(value, what, at)
  if (Object.hasOwn(value, LITERAL_OBJECT)) {
    const inner = value[LITERAL_OBJECT]
    if (!isObject(inner) || Object.keys(value).length !== 1)
      throw new StorageCorruptError(what, `${at}: a ${LITERAL_OBJECT} wrapper must hold one object`)
    return decodeObject(inner, what, at)
  }
  if (Object.hasOwn(value, LITERAL_VALUE))
    throw new StorageCorruptError(what, `${at}: ${LITERAL_VALUE} outside a table row`)
  return decodeObject(value, what, at)
}

function decodeObject(obj: JsonObject, what: string, at: string): JsonObject {
  const out: JsonObject = {}
  for (const key of Object.keys(obj)) setKey(out, key, decodeTables(obj[key], what, `${at}.${key}`))
  return out
}

function decodeTable(table: JsonObject, what: string, at: string): Json[] {
  const template = table[TABLE]
  const rows = table[ROWS]
  if (Object.keys(table).length !== 2 || !Array.isArray(rows))
    throw new StorageCorruptError(
      what,
      `${at}: a table must be {"${TABLE}": keys, "${ROWS}": rows}`,
    )
  checkTemplate(template, what, at)
  return rows.map((row, i) => decodeElement(template, row, what, `${at}[${i}]`))
}

function checkTemplate(template: unknown, what: string, at: string): asserts template is Template {
  if (!Array.isArray(template))
    throw new StorageCorruptError(what, `${at}: a table's keys must be an array`)
  for (const entry of template) {
    if (typeof entry === 'string') continue
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string')
      throw new StorageCorruptError(what, `${at}: a table key must be a name or [name, keys]`)
    checkTemplate(entry[1], what, at)
  }
}

function decodeElement(template: Template, row: unknown, what: string, at: string): Json {
  if (Array.isArray(row)) return decodeRow(template, row, what, at)
  return decodeLiteral(row, what, at)
}

function decodeLiteral(slot: unknown, what: string, at: string): Json {
  if (!isObject(slot) || Object.keys(slot).length !== 1 || !Object.hasOwn(slot, LITERAL_VALUE))
    throw new StorageCorruptError(
      what,
      `${at}: a table row must be an array or {"${LITERAL_VALUE}": value}`,
    )
  return decodeTables(slot[LITERAL_VALUE], what, at)
}

function decodeRow(template: Template, row: Json[], what: string, at: string): JsonObject {
  if (row.length !== template.length)
    throw new StorageCorruptError(
      what,
      `${at}: a table row has ${row.length} values for ${template.length} keys`,
    )
  const out: JsonObject = {}
  for (let i = 0; i < template.length; i++) {
    const entry = template[i]!
    const slot = row[i] as Json
    if (typeof entry === 'string') {
      setKey(out, entry, decodeTables(slot, what, `${at}.${entry}`))
      continue
    }
    const where = `${at}.${entry[0]}`
    const v =
      slot === null
        ? null
        : Array.isArray(slot)
          ? decodeRow(entry[1], slot, what, where)
          : decodeLiteral(slot, what, where)
    setKey(out, entry[0], v)
  }
  return out
}
