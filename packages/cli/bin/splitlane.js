#!/usr/bin/env node
// The installed `splitlane` command; a committed file, so pnpm links it before the first build.
import '../dist/bin.js'
