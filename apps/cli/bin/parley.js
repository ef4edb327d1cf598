#!/usr/bin/env node
// The `parley` command: Node 24 runs the TypeScript source directly.
import '../src/main.ts';
