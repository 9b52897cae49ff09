#!/usr/bin/env node
// The `tessera` bin: committed (so npm links it before the first build), runs the built CLI.
import '../dist/bin.js';
