import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, parse, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The web admin and the CLI take their reply types from the contract (`z.infer`), so a change to
 * a reply schema that a client does not follow fails that client's build. Shown here by compiling
 * each client against a copy of the contract whose session-record reply renames `durationMs`
 * (which both read) to `durationMillis`: each must fail to compile, naming the field, in its own
 * files. The web's run state is compiled alone: the whole admin (MUI's types) takes minutes.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
let work: string;
let mutatedContract: string;

beforeAll(() => {
  // Under node_modules, so the copy resolves zod like the real package does.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  work = mkdtempSync(join(cache, 'contract-mutation-'));
  const src = join(work, 'contract-src');
  cpSync(join(root, 'packages/contract/src'), src, { recursive: true });
  const file = join(src, 'api/session-records.ts');
  const text = readFileSync(file, 'utf8');
  const renamed = text.replace(
    '  durationMs: z.number().nullable(),\n',
    '  durationMillis: z.number().nullable(),\n',
  );
  expect(renamed).not.toBe(text);
  writeFileSync(file, renamed);
  mutatedContract = join(src, 'index.ts');
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Compiles a client's project with `@minke/contract` pointing at the changed copy. */
function errorsCompiling(name: string, config: Record<string, unknown>): ts.Diagnostic[] {
  const configFile = join(work, `tsconfig.${name}.json`);
  writeFileSync(configFile, JSON.stringify(config));
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configFile,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${configFile}`);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  return [...ts.getPreEmitDiagnostics(program)];
}

function describeErrors(diagnostics: ts.Diagnostic[]): { file: string; message: string }[] {
  return diagnostics.map((diagnostic) => ({
    file: diagnostic.file ? relative(root, diagnostic.file.fileName) : '(config)',
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  }));
}

const compilerOverrides = (mutated: () => string) => ({
  noEmit: true,
  composite: false,
  incremental: false,
  declaration: false,
  declarationMap: false,
  paths: { '@minke/contract': [mutated()] },
});

describe('a reply schema change', () => {
  it('breaks the web admin build where it reads the changed field', () => {
    const errors = describeErrors(
      errorsCompiling('web', {
        extends: join(root, 'packages/web/tsconfig.json'),
        compilerOptions: compilerOverrides(() => mutatedContract),
        include: [],
        files: [join(root, 'packages/web/src/runs/run-state.ts')],
      }),
    );
    const broken = errors.filter((e) => e.message.includes("'durationMs'"));
    expect(broken.map((e) => e.file)).toContain('packages/web/src/runs/run-state.ts');
  }, 120_000);

  it('breaks the CLI build where it reads the changed field', () => {
    const errors = describeErrors(
      errorsCompiling('cli', {
        extends: join(root, 'packages/minke/tsconfig.json'),
        compilerOptions: { ...compilerOverrides(() => mutatedContract), rootDir: parse(root).root },
        include: [],
        files: [
          join(root, 'packages/minke/src/cli/remote/remote-run.ts'),
          join(root, 'packages/minke/src/cli/remote/remote-history.ts'),
          join(root, 'packages/minke/src/cli/record-events.ts'),
        ],
      }),
    );
    const broken = errors.filter((e) => e.message.includes("'durationMs'"));
    // remote-run.ts prints a finished record through record-events.ts, which reads the field
    expect(broken.map((e) => e.file)).toContain('packages/minke/src/cli/record-events.ts');
  }, 120_000);
});
