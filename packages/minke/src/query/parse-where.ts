import { InputError } from '../errors.js';
import type { Condition, Filter, FilterOp, FilterValue } from './filter.js';

/**
 * Parses the `--where` language. It is data, never code: words, quoted strings and numbers only.
 *
 *   server.host.name = web-1 and (version ~ "8." or not enabled = true)
 *   status in (active, pending)   os exists   comment is null   port >= 1024
 *
 * Operators: = != < <= > >= ~ (contains, any case) ^= (starts with) in, exists, is [not] null.
 */
export function parseWhere(text: string): Filter {
  const parser = new WhereParser(tokenize(text), text);
  const filter = parser.parseOr();
  parser.expectEnd();
  return filter;
}

type Token =
  | { type: 'word'; text: string; at: number }
  | { type: 'string'; text: string; at: number }
  | { type: 'number'; value: number; text: string; at: number }
  | { type: 'op'; text: string; at: number }
  | { type: 'punct'; text: '(' | ')' | ','; at: number };

const operators = ['!=', '<=', '>=', '==', '^=', '=', '<', '>', '~'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ type: 'punct', text: ch, at: i });
      i++;
      continue;
    }
    const op = operators.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ type: 'op', text: op, at: i });
      i += op.length;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const start = i;
      let value = '';
      i++;
      while (i < text.length && text[i] !== ch) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw whereError(text, start, 'unclosed quote');
      i++;
      tokens.push({ type: 'string', text: value, at: start });
      continue;
    }
    const start = i;
    while (i < text.length && !/[\s(),"'=!<>~^]/.test(text[i] as string)) i++;
    if (i === start) throw whereError(text, start, `unexpected "${ch}"`);
    const word = text.slice(start, i);
    if (/^-?\d+(\.\d+)?$/.test(word))
      tokens.push({ type: 'number', value: Number(word), text: word, at: start });
    else tokens.push({ type: 'word', text: word, at: start });
  }
  return tokens;
}

function whereError(text: string, at: number, reason: string): InputError {
  return new InputError(`invalid --where at character ${at + 1} of "${text}": ${reason}`, {
    fields: { where: reason },
  });
}

const opNames: Record<string, FilterOp> = {
  '=': 'eq',
  '==': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
  '~': 'contains',
  '^=': 'startswith',
};

class WhereParser {
  private index = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
  ) {}

  parseOr(): Filter {
    const parts = [this.parseAnd()];
    while (this.isWord('or')) {
      this.index++;
      parts.push(this.parseAnd());
    }
    return parts.length === 1 ? (parts[0] as Filter) : { or: parts };
  }

  private parseAnd(): Filter {
    const parts = [this.parseNot()];
    while (this.isWord('and')) {
      this.index++;
      parts.push(this.parseNot());
    }
    return parts.length === 1 ? (parts[0] as Filter) : { and: parts };
  }

  private parseNot(): Filter {
    if (this.isWord('not')) {
      this.index++;
      return { not: this.parseNot() };
    }
    const token = this.peek();
    if (token?.type === 'punct' && token.text === '(') {
      this.index++;
      const inner = this.parseOr();
      this.expectPunct(')');
      return inner;
    }
    return this.parseCondition();
  }

  private parseCondition(): Condition {
    const pathToken = this.next('a field name');
    if (pathToken.type !== 'word' || !/^[A-Za-z_]\w*(\.[\w-]+)*$/.test(pathToken.text)) {
      throw this.error(pathToken, 'expected a field name like server.host.name');
    }
    const path = pathToken.text.split('.');
    const opToken = this.next('an operator');
    if (opToken.type === 'op') {
      const value = this.parseValue();
      return { path, op: opNames[opToken.text] as FilterOp, value };
    }
    if (opToken.type === 'word') {
      const word = opToken.text.toLowerCase();
      if (word === 'exists') return { path, op: 'notnull' };
      if (word === 'contains') return { path, op: 'contains', value: this.parseValue() };
      if (word === 'in') return { path, op: 'in', values: this.parseList() };
      if (word === 'is') {
        const negated = this.isWord('not');
        if (negated) this.index++;
        const nullWord = this.next('null');
        if (nullWord.type !== 'word' || nullWord.text.toLowerCase() !== 'null') {
          throw this.error(nullWord, 'expected "null" after "is"');
        }
        return { path, op: negated ? 'notnull' : 'null' };
      }
    }
    throw this.error(opToken, 'expected an operator (= != < <= > >= ~ ^= in exists is null)');
  }

  private parseList(): FilterValue[] {
    this.expectPunct('(');
    const values = [this.parseValue()];
    while (this.peek()?.type === 'punct' && this.peek()?.text === ',') {
      this.index++;
      values.push(this.parseValue());
    }
    this.expectPunct(')');
    return values;
  }

  private parseValue(): FilterValue {
    const token = this.next('a value');
    if (token.type === 'string') return token.text;
    if (token.type === 'number') return token.value;
    if (token.type === 'word') {
      const lower = token.text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (lower === 'null') return null;
      return token.text;
    }
    throw this.error(token, 'expected a value');
  }

  expectEnd(): void {
    const token = this.peek();
    if (token) throw this.error(token, `unexpected "${tokenText(token)}"`);
  }

  private expectPunct(text: '(' | ')'): void {
    const token = this.next(`"${text}"`);
    if (token.type !== 'punct' || token.text !== text)
      throw this.error(token, `expected "${text}"`);
  }

  private isWord(word: string): boolean {
    const token = this.peek();
    return token?.type === 'word' && token.text.toLowerCase() === word;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private next(what: string): Token {
    const token = this.tokens[this.index];
    if (!token) throw whereError(this.text, this.text.length, `expected ${what} at the end`);
    this.index++;
    return token;
  }

  private error(token: Token, reason: string): InputError {
    return whereError(this.text, token.at, reason);
  }
}

function tokenText(token: Token): string {
  return token.text;
}
