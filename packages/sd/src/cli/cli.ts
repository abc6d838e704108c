/**
 * The `twinkit-sd` command line: runs an XMILE or Vensim `.mdl` model and writes its results as CSV.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TwinkitError } from '@twinkit/core';
// The package's own entries by name (kept external in the build), so the command line is a thin
// layer over the published @twinkit/sd and @twinkit/sd/node rather than a second copy of them.
import { type IntegrationMethod, simulate } from '@twinkit/sd';
import { loadVensim, loadXmile } from '@twinkit/sd/node';

/** Exit codes of {@link runCli}. */
export const EXIT = { ok: 0, modelError: 1, usage: 2 } as const;

const USAGE = `Usage: twinkit-sd run <model.xmile|model.stmx|model.mdl> [--method euler|rk2|rk4|rk45] [--dt <step>] [--data <run.tab>]... [--out <results.csv>]

Runs an XMILE or Vensim (.mdl) model from its start to its stop time and writes every stock, flow
and auxiliary at each save time as CSV (time first, names as in the model; an array element as
Vensim names it, Stock[A,B]), to --out or to standard output. --data gives a .mdl model's data
variables a data file (Vensim's .tab or .csv output of another run), as Vensim's -d option does.
Exit codes: 0 success, 1 the model could not be read or run, 2 wrong usage.
`;

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export function runCli(args: string[], io: CliIo): number {
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    (args.length === 0 ? io.stderr : io.stdout)(USAGE);
    return args.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const [command, ...rest] = args;
  if (command !== 'run') {
    io.stderr(`twinkit-sd: unknown command ${JSON.stringify(command)}; the command is "run".\n\n${USAGE}`);
    return EXIT.usage;
  }
  let file: string | undefined;
  let method: IntegrationMethod | undefined;
  let out: string | undefined;
  let dt: number | undefined;
  const data: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--method') {
        const m = value().toLowerCase();
        if (!['euler', 'rk2', 'rk4', 'rk45'].includes(m)) {
          throw new UsageError(`--method must be euler, rk2, rk4 or rk45, got ${JSON.stringify(m)}`);
        }
        method = m as IntegrationMethod;
      } else if (a === '--out') out = value();
      else if (a === '--data') data.push(resolve(value()));
      else if (a === '--dt') {
        const raw = value();
        dt = Number(raw);
        if (!(dt > 0) || !Number.isFinite(dt))
          throw new UsageError(`--dt must be a number > 0, got ${JSON.stringify(raw)}`);
      } else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
      else if (file === undefined) file = a;
      else
        throw new UsageError(
          `one model file at a time, got ${JSON.stringify(file)} and ${JSON.stringify(a)}`,
        );
    } catch (e) {
      if (e instanceof UsageError) {
        io.stderr(`twinkit-sd: ${e.message}.\n\n${USAGE}`);
        return EXIT.usage;
      }
      throw e;
    }
  }
  if (file === undefined) {
    io.stderr(`twinkit-sd: run needs a model file.\n\n${USAGE}`);
    return EXIT.usage;
  }
  const vensim = /\.mdl$/i.test(file);
  if (data.length > 0 && !vensim) {
    io.stderr(`twinkit-sd: --data is for Vensim .mdl models, got ${JSON.stringify(file)}.\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    const model = vensim ? loadVensim(file, data.length > 0 ? { dataFiles: data } : {}) : loadXmile(file);
    const results = simulate(model, {
      ...(method ? { method } : {}),
      ...(dt ? { dt } : {}),
    });
    const csv = results.toCsv();
    if (out) {
      writeFileSync(out, csv);
      io.stderr(
        `twinkit-sd: wrote ${results.rowCount} rows x ${results.columns.length} variables to ${out}\n`,
      );
    } else io.stdout(csv);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof TwinkitError) {
      io.stderr(`twinkit-sd: ${e.message}\n`);
      return EXIT.modelError;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string') {
      io.stderr(`twinkit-sd: cannot write ${JSON.stringify(out)}: ${err.message}\n`);
      return EXIT.modelError;
    }
    throw e;
  }
}

class UsageError extends Error {}
