#!/usr/bin/env node
// The CLI ships bundled in dist/cli so `npx orchestrator` needs no build step.
import '../dist/cli/index.js'
