#!/usr/bin/env node
// The CLI ships bundled in dist/cli, so an install from a tarball or a git URL needs no build step.
import '../dist/cli/index.js'
