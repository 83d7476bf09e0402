#!/usr/bin/env node
// solc-compatible command line over the npm `solc` package (solc-js).
//
// py-solc-x and ape-solidity drive a native solc binary with `--version` and
// `--standard-json [--base-path P] [--include-path P] [--allow-paths P]`, reading
// the standard-json input on stdin. The npm package's own CLI cannot stand in for
// it (it prints a banner before the JSON, rejects --allow-paths and truncates
// piped output at 64 KiB through process.exit), so this wrapper implements
// exactly that subset of the native interface on top of `solc.compile`.
//
// Anything else is refused with a clear message, so that a caller relying on a
// flag we do not implement fails loudly instead of compiling differently.
'use strict';

const fs = require('fs');
const path = require('path');

const USAGE = 'usage: solc --version | solc --standard-json [--base-path DIR] [--include-path DIR]... [--allow-paths DIRS]';

function fail(message) {
  // solc prints option errors on stderr and exits 1; py-solc-x parses
  // "unrecognised option '<flag>'" to raise its UnknownOption error.
  process.stderr.write(message + '\n');
  process.exitCode = 1;
}

function parseArgs(argv) {
  const opts = { version: false, standardJson: false, basePath: null, includePaths: [] };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    const [flag, inlineValue] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const takeValue = () => {
      if (inlineValue !== undefined) return inlineValue;
      if (i + 1 >= argv.length) throw new Error(`option '${flag}' needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--version':
        opts.version = true;
        break;
      case '--standard-json':
        opts.standardJson = true;
        break;
      case '--base-path':
        opts.basePath = takeValue();
        break;
      case '--include-path':
        opts.includePaths.push(takeValue());
        break;
      case '--allow-paths':
        // Native solc restricts file reads to these folders. py-solc-x always
        // passes it; reads here are already limited to base/include paths.
        takeValue();
        break;
      default:
        throw new Error(`unrecognised option '${flag}' (this solc-js wrapper supports only --version and --standard-json with --base-path, --include-path, --allow-paths). ${USAGE}`);
    }
  }
  if (positional.length > 0) {
    throw new Error(`input files on the command line are not supported (got '${positional[0]}'): pass sources in the --standard-json input. ${USAGE}`);
  }
  return opts;
}

function makeImportCallback(roots) {
  return function findImport(importPath) {
    const tried = [];
    for (const root of roots) {
      const candidate = path.resolve(root, importPath);
      tried.push(candidate);
      try {
        return { contents: fs.readFileSync(candidate, 'utf8') };
      } catch (err) {
        if (err.code !== 'ENOENT' && err.code !== 'EISDIR') {
          return { error: `cannot read ${candidate}: ${err.message}` };
        }
      }
    }
    return { error: `File not found: '${importPath}' (looked in: ${tried.join(', ')})` };
  };
}

function readStdin() {
  return fs.readFileSync(0, 'utf8');
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    fail(err.message);
    return;
  }
  const solc = require('solc');
  if (opts.version) {
    // Same shape as native solc, which py-solc-x parses with a regex.
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return;
  }
  if (!opts.standardJson) {
    fail(`nothing to do: ${USAGE}`);
    return;
  }
  const roots = [opts.basePath || process.cwd(), ...opts.includePaths];
  const input = readStdin();
  const output = solc.compile(input, { import: makeImportCallback(roots) });
  // Let Node flush the whole pipe before exiting; never call process.exit here.
  process.stdout.write(output.endsWith('\n') ? output : output + '\n');
}

main();
