/**
 * The HTTP API. `createApp(deps)` builds the product's app and never listens;
 * `createBaseApp` is the bare app (error format, request guards, security headers) it builds on. Route registrars
 * and request schemas stay private to this folder.
 */
export { createApp } from './app.ts'
export type { AppDeps } from './app.ts'
export { createBaseApp } from './create-app.ts'
export type { App, AppOptions } from './create-app.ts'
export { HttpError, toErrorBody } from './errors.ts'
export type { ErrorBody } from './errors.ts'
