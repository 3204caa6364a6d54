// Headless Chromium: the page exposes the checks; the test calls them with the page's own origin as upstream.
import { runChecks } from './checks.js'

Object.assign(globalThis, { runChecks })
