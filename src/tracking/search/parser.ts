import { MlshipError } from '../../core/index.js';
import {
  DATASET_FIELDS,
  RUN_ATTRIBUTES,
  isRunAttribute,
  type Comparison,
  type ComparisonOp,
  type Filter,
  type OrderKey,
  type SearchEntity,
  type SearchValue,
} from './ast.js';
import { searchError, tokenize, type Token } from './lexer.js';

/** Key prefixes MLflow accepts, singular and plural, mapped to entities. */
const PREFIXES: Record<string, SearchEntity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

/** MLflow's attribute aliases. */
const ATTRIBUTE_ALIASES: Record<string, string> = { created: 'start_time', Created: 'start_time' };

const KEY_HINT = 'a key such as metrics.rmse, params.model, tags.team or attributes.status';
const MAX_DEPTH = 100;
const MAX_LENGTH = 100_000;

interface ParsedKey {
  entity: SearchEntity;
  key: string;
  /** Offset of the key's first character. */
  start: number;
  /** The key as written, for messages. */
  text: string;
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
    private readonly what: 'filter' | 'order_by',
  ) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.type !== 'eof') this.pos++;
    return t;
  }

  fail(token: Token | number, message: string): MlshipError {
    return searchError(this.what, this.text, typeof token === 'number' ? token : token.start, message);
  }

  isWord(t: Token, word: string): boolean {
    return t.type === 'word' && (t.value as string).toUpperCase() === word;
  }

  describe(t: Token): string {
    return t.type === 'eof' ? 'the end of the text' : `'${t.text}'`;
  }

  parseOr(): Filter {
    const items = [this.parseAnd()];
    while (this.isWord(this.peek(), 'OR')) {
      this.next();
      if (!this.startsOperand(this.peek())) throw this.fail(this.peek(), `expected a condition after 'OR', found ${this.describe(this.peek())}`);
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  parseAnd(): Filter {
    const items = [this.parseNot()];
    while (this.isWord(this.peek(), 'AND')) {
      this.next();
      if (!this.startsOperand(this.peek())) throw this.fail(this.peek(), `expected a condition after 'AND', found ${this.describe(this.peek())}`);
      items.push(this.parseNot());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  startsOperand(t: Token): boolean {
    return t.type === '(' || t.type === 'word';
  }

  parseNot(): Filter {
    if (this.isWord(this.peek(), 'NOT')) {
      this.next();
      this.enter();
      const item = this.parseNot();
      this.depth--;
      return { kind: 'not', item };
    }
    return this.parsePrimary();
  }

  enter(): void {
    if (++this.depth > MAX_DEPTH) throw this.fail(this.peek(), `nesting deeper than ${MAX_DEPTH} levels; simplify the filter`);
  }

  parsePrimary(): Filter {
    const t = this.peek();
    if (t.type === '(') {
      this.next();
      this.enter();
      if (this.peek().type === ')') throw this.fail(this.peek(), "expected a condition inside '(' ')'");
      const inner = this.parseOr();
      this.depth--;
      const close = this.peek();
      if (close.type !== ')') {
        throw this.fail(close, `expected ')' to close the '(' at column ${t.start + 1}, found ${this.describe(close)}`);
      }
      this.next();
      return inner;
    }
    return this.parseComparison();
  }

  parseKey(forOrderBy = false): ParsedKey {
    const t = this.peek();
    if (t.type !== 'word') {
      if (t.type === 'string' || t.type === 'backtick') {
        throw this.fail(t, `expected ${KEY_HINT}; quote only the part after the dot, e.g. metrics.\`val loss\``);
      }
      throw this.fail(t, `expected ${KEY_HINT}, found ${this.describe(t)}`);
    }
    this.next();
    const word = t.value as string;
    if (this.peek().type !== '.') {
      const attr = ATTRIBUTE_ALIASES[word] ?? word;
      if (isRunAttribute(attr)) return { entity: 'attribute', key: attr, start: t.start, text: word };
      throw this.fail(t, `unknown key '${word}': expected ${KEY_HINT}`);
    }
    const entity = PREFIXES[word] ?? PREFIXES[word.toLowerCase()];
    if (entity === undefined) {
      throw this.fail(t, `unknown key prefix '${word}': use metrics., params., tags., attributes. or datasets.`);
    }
    this.next(); // '.'
    const part = this.peek();
    let key: string;
    if (part.type === 'string' || part.type === 'backtick') {
      if (part.quote === "'") throw this.fail(part, `quote keys with backticks or double quotes, not single quotes: ${word}.\`${part.value}\``);
      this.next();
      key = part.value as string;
      if (key === '') throw this.fail(part, 'the key name is empty');
    } else if (part.type === 'word' || (part.type === 'number' && /^\d+$/.test(part.text))) {
      this.next();
      key = part.text;
      // Unquoted keys may contain dots: metrics.val.loss is the metric "val.loss".
      while (this.peek().type === '.' && ['word', 'number'].includes(this.peek(1).type) && this.peek(1).start === this.peek().start + 1) {
        this.next();
        key += '.' + this.next().text;
      }
    } else {
      throw this.fail(part, `expected a key name after '${word}.', found ${this.describe(part)}`);
    }
    const text = this.text.slice(t.start, this.tokens[this.pos - 1]!.start + this.tokens[this.pos - 1]!.text.length);
    if (entity === 'attribute') {
      const attr = ATTRIBUTE_ALIASES[key] ?? key;
      if (!isRunAttribute(attr)) {
        throw this.fail(part, `unknown attribute '${key}': expected one of ${Object.keys(RUN_ATTRIBUTES).join(', ')}`);
      }
      key = attr;
    }
    if (entity === 'dataset') {
      if (forOrderBy) throw this.fail(t, 'runs cannot be ordered by dataset fields');
      if (!(DATASET_FIELDS as readonly string[]).includes(key)) {
        throw this.fail(part, `unknown dataset field '${key}': expected one of ${DATASET_FIELDS.join(', ')}`);
      }
    }
    return { entity, key, start: t.start, text };
  }

  parseOp(key: ParsedKey): { op: ComparisonOp; token: Token } {
    const t = this.peek();
    if (t.type === 'op') {
      this.next();
      return { op: t.value as ComparisonOp, token: t };
    }
    if (t.type === 'word') {
      const w = (t.value as string).toUpperCase();
      if (w === 'LIKE' || w === 'ILIKE' || w === 'IN') {
        this.next();
        return { op: w, token: t };
      }
      if (w === 'NOT' && this.isWord(this.peek(1), 'IN')) {
        this.next();
        this.next();
        return { op: 'NOT IN', token: t };
      }
      if (w === 'IS') {
        this.next();
        const not = this.isWord(this.peek(), 'NOT');
        if (not) this.next();
        if (!this.isWord(this.peek(), 'NULL')) throw this.fail(this.peek(), `expected NULL after '${not ? 'IS NOT' : 'IS'}'`);
        this.next();
        return { op: not ? 'IS NOT NULL' : 'IS NULL', token: t };
      }
    }
    throw this.fail(t, `expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL) after '${key.text}', found ${this.describe(t)}`);
  }

  parseValue(after: string): { value: SearchValue; token: Token } {
    const t = this.peek();
    if (t.type === 'string' && t.quote !== '`') {
      this.next();
      return { value: t.value, token: t };
    }
    if (t.type === 'number') {
      this.next();
      return { value: t.value, token: t };
    }
    if (t.type === 'word') {
      throw this.fail(t, `expected a value after '${after}': quote strings, e.g. '${t.text}'`);
    }
    if (t.type === 'backtick') {
      throw this.fail(t, `expected a value after '${after}': backticks quote keys; quote strings with ' or "`);
    }
    throw this.fail(t, `expected a value after '${after}'`);
  }

  parseComparison(): Comparison {
    const key = this.parseKey();
    const { op, token: opToken } = this.parseOp(key);
    let value: SearchValue | SearchValue[] | null;
    const valueTokens: Token[] = [];
    if (op === 'IS NULL' || op === 'IS NOT NULL') {
      value = null;
    } else if (op === 'IN' || op === 'NOT IN') {
      const open = this.peek();
      if (open.type !== '(') throw this.fail(open, `expected '(' and a list of values after '${op}'`);
      this.next();
      if (this.peek().type === ')') throw this.fail(this.peek(), `the list after '${op}' is empty: give at least one value`);
      const list: SearchValue[] = [];
      for (;;) {
        const v = this.parseValue(list.length === 0 ? '(' : ',');
        list.push(v.value);
        valueTokens.push(v.token);
        const sep = this.peek();
        if (sep.type === ',') {
          this.next();
          continue;
        }
        if (sep.type === ')') {
          this.next();
          break;
        }
        throw this.fail(sep, `expected ',' or ')' in the list after '${op}', found ${this.describe(sep)}`);
      }
      value = list;
    } else {
      const v = this.parseValue(opToken.text);
      value = v.value;
      valueTokens.push(v.token);
    }
    this.checkTypes(key, op, opToken, valueTokens);
    return { kind: 'cmp', entity: key.entity, key: key.key, op, value };
  }

  checkTypes(key: ParsedKey, op: ComparisonOp, opToken: Token, values: Token[]): void {
    const numeric = key.entity === 'metric' || (key.entity === 'attribute' && RUN_ATTRIBUTES[key.key as keyof typeof RUN_ATTRIBUTES] === 'number');
    const kind = key.entity === 'metric' ? 'a metric' : key.entity === 'attribute' ? `the ${numeric ? 'numeric' : 'string'} attribute` : `a ${key.entity}`;
    if (op === 'IS NULL' || op === 'IS NOT NULL') {
      if (key.entity === 'dataset') throw this.fail(opToken, `'${op}' does not apply to dataset fields`);
      return;
    }
    if (numeric) {
      if (op === 'LIKE' || op === 'ILIKE') {
        throw this.fail(opToken, `${op} applies to strings; ${key.text} is ${kind} (use =, !=, <, <=, >, >=, IN or NOT IN)`);
      }
      for (const v of values) {
        if (v.type !== 'number') throw this.fail(v, `${key.text} is ${kind} and compares with numbers only, found ${v.text}`);
      }
      return;
    }
    if (op === '<' || op === '<=' || op === '>' || op === '>=') {
      throw this.fail(opToken, `'${op}' compares numbers; ${key.text} is a string (use =, !=, LIKE, ILIKE, IN or NOT IN)`);
    }
    for (const v of values) {
      if (v.type !== 'string') {
        throw this.fail(v, `${key.text} is a string: quote the value, e.g. '${v.text}'`);
      }
    }
  }
}

/**
 * Parses a run search filter into a {@link Filter}, or `null` when the text is empty.
 *
 * The language is MLflow's plus `OR`, parentheses and `NOT` (precedence NOT > AND > OR; keywords
 * are case-insensitive):
 * - keys: `metrics.<k>`, `params.<k>`, `tags.<k>`, `attributes.<k>` (run_id, run_name, status,
 *   start_time, end_time, artifact_uri, user_id, experiment_id, parent_run_id; `created` is
 *   start_time), `datasets.<name|digest|context>`; singular prefixes (`metric.`, `param.`, `tag.`,
 *   `attribute.`, `dataset.`) too, and a bare attribute name (`status = 'FINISHED'`). Keys with
 *   spaces or other characters go in backticks or double quotes: metrics.`val loss`.
 * - operators: `= != < <= > >=` on metrics and numeric attributes (numbers only); `= != LIKE ILIKE`
 *   on params, tags, string attributes and datasets (quoted strings only); `IN (...)`,
 *   `NOT IN (...)` on all; `IS NULL` / `IS NOT NULL` (key missing / present).
 * - strings in `'...'` or `"..."`; a doubled or backslash-escaped quote is a quote.
 *   LIKE patterns: `%` any run, `_` one character, `\` escapes the next character.
 *
 * @param text - the filter, e.g. `"metrics.rmse < 3 AND params.model = 'rf'"`
 * @returns the AST, or `null` for an empty or blank filter
 * @throws MlshipError INVALID_ARGUMENT naming the column and what was expected, e.g.
 *   `at column 17: expected a value after '<'`
 *
 * @example
 * ```ts
 * import { parseFilter } from 'mlship/tracking';
 * const f = parseFilter("metrics.rmse < 3 AND (params.model = 'rf' OR tags.team ILIKE '%ml%')");
 * console.log(f?.kind); // 'and'
 * ```
 */
export function parseFilter(text: string | null | undefined): Filter | null {
  if (text === null || text === undefined) return null;
  if (typeof text !== 'string') {
    throw new MlshipError('INVALID_ARGUMENT', `filter must be a string, got ${typeof text}`, { field: 'filter', value: text });
  }
  if (text.length > MAX_LENGTH) {
    throw new MlshipError('INVALID_ARGUMENT', `filter is ${text.length} characters long; the limit is ${MAX_LENGTH}`, { field: 'filter' });
  }
  const tokens = tokenize(text, 'filter');
  if (tokens.length === 1) return null;
  const p = new Parser(text, tokens, 'filter');
  const filter = p.parseOr();
  const rest = p.peek();
  if (rest.type !== 'eof') {
    const hint = rest.type === ')' ? "unmatched ')'" : `expected AND, OR or the end of the filter, found ${p.describe(rest)}`;
    throw p.fail(rest, hint);
  }
  return filter;
}

/**
 * Parses `order by` clauses: each entry is `<key> [ASC|DESC]` (ASC by default) with the keys of
 * {@link parseFilter} (datasets excepted).
 *
 * @param list - e.g. `["metrics.rmse DESC", "params.model"]`; `undefined` or empty gives `[]`
 * @throws MlshipError INVALID_ARGUMENT naming the entry and the column
 *
 * @example
 * ```ts
 * import { parseOrderBy } from 'mlship/tracking';
 * parseOrderBy(['metrics.rmse DESC', 'params.model']);
 * // [{ entity: 'metric', key: 'rmse', direction: 'DESC' }, { entity: 'param', key: 'model', direction: 'ASC' }]
 * ```
 */
export function parseOrderBy(list: readonly string[] | null | undefined): OrderKey[] {
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) {
    throw new MlshipError('INVALID_ARGUMENT', 'orderBy must be a list of strings like ["metrics.rmse DESC"]', { field: 'order_by', value: list });
  }
  return list.map((entry) => {
    if (typeof entry !== 'string') {
      throw new MlshipError('INVALID_ARGUMENT', `orderBy entries must be strings like "metrics.rmse DESC", got ${JSON.stringify(entry)}`, {
        field: 'order_by',
        value: entry,
      });
    }
    const tokens = tokenize(entry, 'order_by');
    const p = new Parser(entry, tokens, 'order_by');
    if (tokens.length === 1) throw p.fail(0, `expected ${KEY_HINT} and an optional ASC or DESC`);
    const key = p.parseKey(true);
    let direction: 'ASC' | 'DESC' = 'ASC';
    const d = p.peek();
    if (p.isWord(d, 'ASC') || p.isWord(d, 'DESC')) {
      direction = (d.value as string).toUpperCase() as 'ASC' | 'DESC';
      p.next();
    } else if (d.type !== 'eof') {
      throw p.fail(d, `expected ASC, DESC or the end after '${key.text}', found ${p.describe(d)}`);
    }
    if (p.peek().type !== 'eof') throw p.fail(p.peek(), `expected the end after '${direction}', found ${p.describe(p.peek())}`);
    return { entity: key.entity as OrderKey['entity'], key: key.key, direction };
  });
}
