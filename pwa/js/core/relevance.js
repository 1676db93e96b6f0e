// The relevance language: small, safe expressions over the answers of a checklist.
//
// The same language as backend/checklists/relevance.py, whose docstring is its reference (grammar
// and meaning); tests/fixtures/vectors/relevance.json proves that both give the same results.
// Nothing is ever handed to eval or Function: the text is tokenized, parsed by recursive descent
// into a tree of plain objects ({ type: 'const' | 'list' | 'call' | 'not' | 'logic' | 'isnull' |
// 'compare' | 'member', ... }), and that tree is interpreted.
//
// Quirks kept on purpose so that both sides agree: error positions count code points (as Python
// does), not UTF-16 units; strings order by code point; an integer too large for a double is
// infinite on both sides.

export const MAX_DEPTH = 32;

// Stable error codes, the same in Python.
export const UNEXPECTED_CHARACTER = 'unexpected_character';
export const UNTERMINATED_STRING = 'unterminated_string';
export const UNEXPECTED_TOKEN = 'unexpected_token';
export const UNEXPECTED_END = 'unexpected_end';
export const UNKNOWN_NAME = 'unknown_name';
export const TOO_DEEP = 'too_deep';

// One alternative per token kind, the very pattern of the Python module (ASCII classes only).
const TOKEN = /(?<space>[ \t\r\n]+)|(?<string>'[^']*'|"[^"]*")|(?<number>-?[0-9]+(?:\.[0-9]+)?)|(?<name>[A-Za-z_][A-Za-z0-9_]*)|(?<symbol>==|!=|<=|>=|[<>()[\],])/y;
const COMPARISONS = ['==', '!=', '<=', '>=', '<', '>'];
const CONSTANTS = new Map([['true', true], ['false', false], ['null', null]]);
const KEYWORDS = new Set(['and', 'or', 'not', 'in']);
const FUNCTIONS = new Set(['answer', 'count']);

/** An expression that does not parse: a stable `code` and the 0-based `position` in code points. */
export class ExpressionError extends Error {
  constructor(code, message, position) {
    super(`${message} (at character ${position + 1})`);
    this.name = 'ExpressionError';
    this.code = code;
    this.detail = message;
    this.position = position;
  }
}

const codePoints = (text) => Array.from(text).length;

function describe(token) {
  if (token.kind === 'end') return 'the end of the expression';
  if (token.kind === 'string') return 'a string';
  return `'${token.text}'`;
}

function tokenize(source) {
  const tokens = [];
  let index = 0;
  while (index < source.length) {
    TOKEN.lastIndex = index;
    const match = TOKEN.exec(source);
    const position = codePoints(source.slice(0, index));
    if (match === null) {
      const char = String.fromCodePoint(source.codePointAt(index));
      if (char === "'" || char === '"') {
        throw new ExpressionError(UNTERMINATED_STRING, 'this string has no closing quote', position);
      }
      const hint = char === '=' ? '; compare with ==' : '';
      throw new ExpressionError(UNEXPECTED_CHARACTER, `unexpected character '${char}'${hint}`, position);
    }
    const { groups } = match;
    if (groups.string !== undefined) tokens.push({ kind: 'string', text: match[0].slice(1, -1), position });
    else if (groups.space === undefined) {
      const kind = groups.number !== undefined ? 'number' : groups.name !== undefined ? 'name' : 'symbol';
      tokens.push({ kind, text: match[0], position });
    }
    index = TOKEN.lastIndex;
  }
  tokens.push({ kind: 'end', text: '', position: codePoints(source) });
  return tokens;
}

const isNullConst = (node) => node.type === 'const' && node.value === null;

class Parser {
  constructor(source) {
    this.tokens = tokenize(source);
    this.index = 0;
    this.depth = 0;
  }

  peek() { return this.tokens[Math.min(this.index, this.tokens.length - 1)]; }

  take() {
    const token = this.peek();
    this.index += 1;
    return token;
  }

  /** Whether the next token is this keyword or symbol (their texts never overlap). */
  at(text) {
    const token = this.peek();
    return (token.kind === 'name' || token.kind === 'symbol') && token.text === text;
  }

  fail(token, expected) {
    const code = token.kind === 'end' ? UNEXPECTED_END : UNEXPECTED_TOKEN;
    return new ExpressionError(code, `expected ${expected}, found ${describe(token)}`, token.position);
  }

  expect(text) {
    if (!this.at(text)) throw this.fail(this.peek(), `'${text}'`);
    this.take();
  }

  enter(token) {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) {
      throw new ExpressionError(TOO_DEEP, `the expression nests more than ${MAX_DEPTH} levels deep`, token.position);
    }
  }

  expression() {
    const node = this.logic('or');
    if (this.peek().kind !== 'end') throw this.fail(this.peek(), "'and', 'or' or the end of the expression");
    return node;
  }

  logic(op) {
    const next = () => (op === 'or' ? this.logic('and') : this.negation());
    const operands = [next()];
    while (this.at(op)) {
      this.take();
      operands.push(next());
    }
    return operands.length === 1 ? operands[0] : { type: 'logic', op, operands };
  }

  negation() {
    if (!this.at('not')) return this.comparison();
    this.enter(this.take());
    const node = { type: 'not', operand: this.negation() };
    this.depth -= 1;
    return node;
  }

  comparison() {
    const left = this.operand();
    const token = this.peek();
    if (token.kind === 'symbol' && COMPARISONS.includes(token.text)) {
      this.take();
      const right = this.operand();
      if ((token.text === '==' || token.text === '!=') && (isNullConst(left) || isNullConst(right))) {
        return { type: 'isnull', operand: isNullConst(left) ? right : left, negated: token.text === '!=' };
      }
      return { type: 'compare', op: token.text, left, right };
    }
    const negated = this.at('not');
    if (negated) {
      this.take();
      if (!this.at('in')) throw this.fail(this.peek(), "'in' after 'not'");
    }
    if (!this.at('in')) return left;
    this.take();
    return { type: 'member', needle: left, haystack: this.haystack(), negated };
  }

  haystack() {
    if (!this.at('[')) return this.operand();
    this.take();
    const values = [];
    const expected = 'a string, a number, true, false or null';
    if (!this.at(']')) {
      values.push(this.literal(this.take(), expected));
      while (this.at(',')) {
        this.take();
        values.push(this.literal(this.take(), expected));
      }
    }
    if (!this.at(']')) throw this.fail(this.peek(), "',' or ']'");
    this.take();
    return { type: 'list', values };
  }

  literal(token, expected) {
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'name' && CONSTANTS.has(token.text)) return CONSTANTS.get(token.text);
    throw this.fail(token, expected);
  }

  operand() {
    const token = this.take();
    if (token.kind === 'string' || token.kind === 'number' || (token.kind === 'name' && CONSTANTS.has(token.text))) {
      return { type: 'const', value: this.literal(token, 'a value') };
    }
    if (token.kind === 'name' && FUNCTIONS.has(token.text)) {
      this.expect('(');
      const key = this.take();
      if (key.kind !== 'string') throw this.fail(key, 'an item key in quotes');
      this.expect(')');
      return { type: 'call', function: token.text, key: key.text };
    }
    if (token.kind === 'name' && !KEYWORDS.has(token.text)) {
      throw new ExpressionError(UNKNOWN_NAME, `unknown name '${token.text}'; read an answer with answer('key')`, token.position);
    }
    if (token.kind === 'symbol' && token.text === '(') {
      this.enter(token);
      const node = this.logic('or');
      this.expect(')');
      this.depth -= 1;
      return node;
    }
    throw this.fail(token, "a value, answer(...), count(...) or '('");
  }
}

const parsed = new Map();

/** Parse an expression into its tree; throw an ExpressionError if it is not well formed. */
export function parse(source) {
  if (typeof source !== 'string') throw new TypeError('an expression is a string');
  let node = parsed.get(source);
  if (node === undefined) {
    node = new Parser(source).expression();
    if (parsed.size >= 1024) parsed.clear();
    parsed.set(source, node);
  }
  return node;
}

function read(answers, key) {
  if (answers === null || typeof answers !== 'object' || !Object.hasOwn(answers, key)) return null;
  return answers[key] ?? null;
}

/** The value of a parsed expression over answers (item key → JSON value). Never throws. */
export function evaluate(node, answers) {
  switch (node.type) {
    case 'const': return node.value;
    case 'list': return [...node.values];
    case 'call': {
      const value = read(answers, node.key);
      if (node.function === 'answer') return value;
      return Array.isArray(value) ? value.length : value === null ? 0 : 1;
    }
    case 'not': return !truthy(evaluate(node.operand, answers));
    case 'logic': return node.op === 'and'
      ? node.operands.every((operand) => truthy(evaluate(operand, answers)))
      : node.operands.some((operand) => truthy(evaluate(operand, answers)));
    case 'isnull': return (evaluate(node.operand, answers) === null) !== node.negated;
    case 'compare': return compare(node.op, evaluate(node.left, answers), evaluate(node.right, answers));
    case 'member': return member(evaluate(node.needle, answers), evaluate(node.haystack, answers), node.negated);
    default: throw new TypeError(`not a node: ${node.type}`);
  }
}

/** Whether a parsed expression is true over the answers. */
export const holds = (node, answers) => truthy(evaluate(node, answers));

function kind(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'object' : 'other';
}

/** Truthiness of the language, the same in Python: null, false, 0, '', [] and {} are false. */
export function truthy(value) {
  switch (kind(value)) {
    case 'null': return false;
    case 'boolean': return value;
    case 'number': return value !== 0 && value === value; // NaN is false
    case 'string': case 'list': return value.length > 0;
    case 'object': return Object.keys(value).length > 0;
    default: return true;
  }
}

/** Equality of JSON values of the same type; numbers by value, containers element by element. */
export function strictlyEqual(a, b) {
  const type = kind(a);
  if (type !== kind(b)) return false;
  if (type === 'list') return a.length === b.length && a.every((x, i) => strictlyEqual(x, b[i]));
  if (type === 'object') {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length
      && keys.every((key) => Object.hasOwn(b, key) && strictlyEqual(a[key], b[key]));
  }
  if (type === 'null') return true;
  return type !== 'other' && a === b;
}

/** Compare strings by code point, as Python does (UTF-16 order differs above U+FFFF). */
function codePointOrder(a, b) {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(j);
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}

function compare(op, a, b) {
  if (a === null || b === null) return false;
  if (op === '==') return strictlyEqual(a, b);
  if (op === '!=') return !strictlyEqual(a, b);
  const type = kind(a);
  if (type !== kind(b) || (type !== 'number' && type !== 'string')) return false;
  const order = type === 'number' ? (a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN) : codePointOrder(a, b);
  if (op === '<') return order < 0;
  if (op === '<=') return order <= 0;
  if (op === '>') return order > 0;
  return order >= 0;
}

function member(needle, haystack, negated) {
  if (!Array.isArray(haystack)) return false;
  if (needle === null) return !negated && haystack.some((element) => kind(element) === 'null');
  return haystack.some((element) => strictlyEqual(needle, element)) !== negated;
}
