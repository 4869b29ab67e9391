import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

/**
 * One logging rule for the server, the workers, facts, the broker, the CLI and the agent: an
 * error goes into a log line whole, as `{ err }`, so pino's serializer keeps its type, message and
 * stack. Squashing it to text first (`{ error: error.message }`, `String(error)`, or a message
 * string with the error spliced in) loses the stack that says where it came from.
 */

const levels = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
/** What a logger is called where Minke's code calls one: `logger`, `log`, `this.options.logger`. */
const loggerName = /(?:^|[.?])_?(?:log|logger)$/i;
/** Names code gives a caught error. */
const errorName = /^(?:e|err|error|cause)$/;

/** The log calls in `text` that break the rule, as `file:line: why`. */
export function logRuleViolations(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const report = (node: ts.Node, why: string) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    out.push(`${file}:${line + 1}: ${why}`);
  };
  const visit = (node: ts.Node): void => {
    if (isLogCall(node, source)) checkLogCall(node, source, report);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function isLogCall(node: ts.Node, source: ts.SourceFile): node is ts.CallExpression {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
  const callee = node.expression;
  return levels.has(callee.name.text) && loggerName.test(callee.expression.getText(source));
}

function checkLogCall(
  call: ts.CallExpression,
  source: ts.SourceFile,
  report: (node: ts.Node, why: string) => void,
): void {
  const [fields, message] = call.arguments;
  if (fields && ts.isObjectLiteralExpression(fields)) {
    for (const property of fields.properties) {
      const name = property.name && ts.isIdentifier(property.name) ? property.name.text : '';
      if (name === 'error') report(property, 'log an error as { err }, not { error }');
      const value = ts.isPropertyAssignment(property) ? property.initializer : undefined;
      if (value && errorAsText(value, source))
        report(property, `pass the error itself ({ err: ${errorIn(value)} }), not its text`);
    }
  }
  if (message && errorAsText(message, source))
    report(message, 'keep the error out of the message: pass it as { err }');
}

/** Whether `node` turns a caught error into text: `error.message`, `String(error)`, `${error}`. */
function errorAsText(node: ts.Node, source: ts.SourceFile): boolean {
  if (ts.isTemplateExpression(node))
    return node.templateSpans.some(
      (span) => isError(span.expression, source) || errorAsText(span.expression, source),
    );
  if (ts.isPropertyAccessExpression(node))
    return node.name.text === 'message' && isError(node.expression, source);
  if (ts.isCallExpression(node) && node.expression.getText(source) === 'String')
    return node.arguments.some((argument) => isError(argument, source));
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node))
    return errorAsText(node.expression, source);
  return false;
}

function isError(node: ts.Node, source: ts.SourceFile): boolean {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node))
    return isError(node.expression, source);
  return ts.isIdentifier(node) && errorName.test(node.getText(source));
}

/** The caught error's name inside `node`, for the hint. */
function errorIn(node: ts.Node): string {
  let found = 'error';
  const visit = (child: ts.Node): void => {
    if (ts.isIdentifier(child) && errorName.test(child.text)) found = child.text;
    else ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

const packages = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Every package whose code logs: the server, workers and CLI (minke) and the agent. */
const scanned = ['minke/src', 'minke/bin', 'agent/src', 'protocol/src'].map((dir) =>
  join(packages, dir),
);

function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test-support' ? [] : sourceFiles(path);
    return /\.(?:ts|js)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('the logging rule: errors are logged as { err }', () => {
  it('holds in every package that logs', () => {
    const files = scanned.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const violations = files.flatMap((path) =>
      logRuleViolations(relative(packages, path), readFileSync(path, 'utf8')),
    );
    expect(violations).toEqual([]);
  });

  it('names what breaks it', () => {
    const bad = [
      "this.logger.warn({ error: error.message }, 'mqtt error');",
      'options.logger?.error({ node, reason: (error as Error).message }, "no host");',
      'log.info({ err: String(err) }, "x");',
      'logger.error({}, `could not publish: ${error.message}`);',
      'logger.debug({ error }, "shorthand");',
    ].join('\n');
    expect(logRuleViolations('bad.ts', bad)).toEqual([
      'bad.ts:1: log an error as { err }, not { error }',
      'bad.ts:1: pass the error itself ({ err: error }), not its text',
      'bad.ts:2: pass the error itself ({ err: error }), not its text',
      'bad.ts:3: pass the error itself ({ err: err }), not its text',
      'bad.ts:4: keep the error out of the message: pass it as { err }',
      'bad.ts:5: log an error as { err }, not { error }',
    ]);
    const good = [
      "this.logger.warn({ err: error, node }, 'mqtt error');",
      'logger.error({ err }, `node ${node} refused`);',
      'console.error(error.message);',
      "reply.error({ error: 'not a logger' });",
    ].join('\n');
    expect(logRuleViolations('good.ts', good)).toEqual([]);
  });

  it('keeps the stack of an error logged as { err }', () => {
    const lines: string[] = [];
    const logger = createLogger({ stream: { write: (line: string) => lines.push(line) } });
    logger.error({ err: new TypeError('broken pipe'), node: 'web1' }, 'send failed');
    const entry = JSON.parse(lines[0] ?? '{}') as { err?: Record<string, unknown>; node?: string };
    expect(entry.node).toBe('web1');
    expect(entry.err).toMatchObject({ type: 'TypeError', message: 'broken pipe' });
    expect(String(entry.err?.['stack'])).toMatch(/TypeError: broken pipe\n\s+at /);
  });
});
