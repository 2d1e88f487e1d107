import { MlshipError } from '../../core/index.js';
import {
  DATASET_FIELDS,
  searchKindSpec,
  type Comparison,
  type ComparisonOp,
  type Filter,
  type OrderKey,
  type SearchEntity,
  type SearchKind,
  type SearchKindSpec,
  type SearchValue,
} from './ast.js';
import { searchError, tokenize, type Token } from './lexer.js';

const RUN_KEY_HINT = 'a key such as metrics.rmse, params.model, tags.team or attributes.status';

/** `a` or `an` before a kind's label. */
function article(label: string): string {
  return /^[aeiou]/.test(label) ? 'an' : 'a';
}

/** What the parser says it expected where a key should be. */
function keyHint(spec: SearchKindSpec): string {
  return spec.label === 'run' ? RUN_KEY_HINT : `${article(spec.label)} ${spec.label} key (one of ${spec.keyList})`;
}

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
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
    private readonly spec: SearchKindSpec,
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

  /** The attribute `name` (or an alias of it) names for this kind, or undefined. */
  attribute(name: string): string | undefined {
    const spec = this.spec;
    const attr = has(spec.aliases, name) ? spec.aliases[name]! : name;
    return has(spec.attributes, attr) ? attr : undefined;
  }

  parseKey(forOrderBy = false): ParsedKey {
    const spec = this.spec;
    const hint = keyHint(spec);
    const t = this.peek();
    if (t.type !== 'word') {
      if (t.type === 'string' || t.type === 'backtick') {
        const example = spec.label === 'run' ? 'metrics.`val loss`' : 'tags.`release date`';
        throw this.fail(t, `expected ${hint}; quote only the part after the dot, e.g. ${example}`);
      }
      throw this.fail(t, `expected ${hint}, found ${this.describe(t)}`);
    }
    this.next();
    const word = t.value as string;
    if (this.peek().type !== '.') {
      const attr = this.attribute(word);
      if (attr !== undefined) {
        if (forOrderBy) this.checkOrderable('attribute', attr, t);
        return { entity: 'attribute', key: attr, start: t.start, text: word };
      }
      throw this.fail(t, `unknown key '${word}': expected ${hint}`);
    }
    const entity = has(spec.prefixes, word) ? spec.prefixes[word] : has(spec.prefixes, word.toLowerCase()) ? spec.prefixes[word.toLowerCase()] : undefined;
    if (entity === undefined) {
      const prefixes = [...new Set(Object.values(spec.prefixes))].map((e) => (e === 'metric' ? 'metrics.' : e === 'param' ? 'params.' : e === 'tag' ? 'tags.' : e === 'attribute' ? 'attributes.' : 'datasets.'));
      const valid = spec.label === 'run' ? '' : ` (valid ${spec.label} keys: ${spec.keyList})`;
      throw this.fail(t, `unknown key prefix '${word}' for ${article(spec.label)} ${spec.label} search: use ${prefixes.slice(0, -1).join(', ')} or ${prefixes.at(-1)}${valid}`);
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
      const attr = this.attribute(key);
      if (attr === undefined) {
        throw this.fail(part, `unknown attribute '${key}' for ${article(spec.label)} ${spec.label} search: expected one of ${Object.keys(spec.attributes).join(', ')}`);
      }
      key = attr;
    }
    if (forOrderBy) this.checkOrderable(entity, key, entity === 'attribute' ? part : t);
    if (entity === 'dataset') {
      if (!(DATASET_FIELDS as readonly string[]).includes(key)) {
        throw this.fail(part, `unknown dataset field '${key}': expected one of ${DATASET_FIELDS.join(', ')}`);
      }
    }
    return { entity, key, start: t.start, text };
  }

  /** Fails unless `order by` accepts the key for this kind. */
  checkOrderable(entity: SearchEntity, key: string, at: Token): void {
    const spec = this.spec;
    if (entity === 'dataset' && spec.label === 'run') throw this.fail(at, 'runs cannot be ordered by dataset fields');
    if (entity === 'attribute' ? spec.orderAttributes.includes(key) : (spec.orderEntities as readonly string[]).includes(entity)) return;
    const valid = [
      ...spec.orderAttributes,
      ...spec.orderEntities.filter((e) => e !== 'attribute').map((e) => `${e === 'metric' ? 'metrics' : e === 'param' ? 'params' : 'tags'}.<key>`),
    ];
    throw this.fail(at, `${spec.label}s cannot be ordered by ${entity === 'attribute' ? `'${key}'` : `${entity}s`}: order by one of ${valid.join(', ')}`);
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
    const numeric = key.entity === 'metric' || (key.entity === 'attribute' && this.spec.attributes[key.key] === 'number');
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
 * Parses a search filter into a {@link Filter}, or `null` when the text is empty. `kind` decides
 * which keys are valid (runs by default; see {@link SearchKind} for experiments, registered models
 * and model versions, which take `name`, their attributes and `tags.<key>`).
 *
 * The language is MLflow's plus `OR`, parentheses and `NOT` (precedence NOT > AND > OR; keywords
 * are case-insensitive):
 * - keys: `metrics.<k>`, `params.<k>`, `tags.<k>`, `attributes.<k>` (run_id, run_name, status,
 *   start_time, end_time, artifact_uri, user_id, experiment_id, parent_run_id; `created` is
 *   start_time), `datasets.<name|digest|context>` for runs; `name`, `tags.<k>` and the kind's
 *   attributes for the other kinds (an unknown key is an error listing the valid ones); singular prefixes (`metric.`, `param.`, `tag.`,
 *   `attribute.`, `dataset.`) too, and a bare attribute name (`status = 'FINISHED'`). Keys with
 *   spaces or other characters go in backticks or double quotes: metrics.`val loss`.
 * - operators: `= != < <= > >=` on metrics and numeric attributes (numbers only); `= != LIKE ILIKE`
 *   on params, tags, string attributes and datasets (quoted strings only); `IN (...)`,
 *   `NOT IN (...)` on all; `IS NULL` / `IS NOT NULL` (key missing / present).
 * - strings in `'...'` or `"..."`; a doubled or backslash-escaped quote is a quote.
 *   LIKE patterns: `%` any run, `_` one character, `\` escapes the next character.
 *
 * @param text - the filter, e.g. `"metrics.rmse < 3 AND params.model = 'rf'"`
 * @param kind - what is searched: `run`, `experiment`, `registered_model` or `model_version`
 * @default kind 'run'
 * @returns the AST, or `null` for an empty or blank filter
 * @throws MlshipError INVALID_ARGUMENT naming the column and what was expected, e.g.
 *   `at column 17: expected a value after '<'`
 *
 * @example
 * ```ts
 * import { parseFilter } from 'mlship/tracking';
 * const f = parseFilter("metrics.rmse < 3 AND (params.model = 'rf' OR tags.team ILIKE '%ml%')");
 * console.log(f?.kind); // 'and'
 * parseFilter("name LIKE 'housing%' AND tags.team = 'pricing'", 'registered_model');
 * ```
 */
export function parseFilter(text: string | null | undefined, kind: SearchKind = 'run'): Filter | null {
  const spec = searchKindSpec(kind);
  if (text === null || text === undefined) return null;
  if (typeof text !== 'string') {
    throw new MlshipError('INVALID_ARGUMENT', `filter must be a string, got ${typeof text}`, { field: 'filter', value: text });
  }
  if (text.length > MAX_LENGTH) {
    throw new MlshipError('INVALID_ARGUMENT', `filter is ${text.length} characters long; the limit is ${MAX_LENGTH}`, { field: 'filter' });
  }
  const tokens = tokenize(text, 'filter');
  if (tokens.length === 1) return null;
  const p = new Parser(text, tokens, 'filter', spec);
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
 * {@link parseFilter} (datasets excepted) for runs; experiments order by `name`, `experiment_id`
 * (numerically), `creation_time` or `last_update_time`, registered models by `name`, `creation_time` or `last_updated_time`, model
 * versions by `name`, `version`, `run_id`, `source` or `creation_time`.
 *
 * @param list - e.g. `["metrics.rmse DESC", "params.model"]`; `undefined` or empty gives `[]`
 * @param kind - what is sorted
 * @default kind 'run'
 * @throws MlshipError INVALID_ARGUMENT naming the entry and the column
 *
 * @example
 * ```ts
 * import { parseOrderBy } from 'mlship/tracking';
 * parseOrderBy(['metrics.rmse DESC', 'params.model']);
 * // [{ entity: 'metric', key: 'rmse', direction: 'DESC' }, { entity: 'param', key: 'model', direction: 'ASC' }]
 * parseOrderBy(['last_update_time DESC'], 'experiment');
 * // [{ entity: 'attribute', key: 'last_update_time', direction: 'DESC' }]
 * ```
 */
export function parseOrderBy(list: readonly string[] | null | undefined, kind: SearchKind = 'run'): OrderKey[] {
  const spec = searchKindSpec(kind);
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
    const p = new Parser(entry, tokens, 'order_by', spec);
    if (tokens.length === 1) throw p.fail(0, `expected ${keyHint(spec)} and an optional ASC or DESC`);
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
