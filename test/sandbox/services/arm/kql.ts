/**
 * A deliberately small KQL interpreter for the Resource Graph emulator. It supports only what the
 * product sends; anything else is a parse error (the service answers 400 "Query is invalid") instead
 * of a silently wrong answer.
 *
 * Grammar (keywords case-insensitive, strings in '…' or "…"):
 *
 *   query      := [ table ] ( "|" operator )*
 *   table      := "Resources" | "AuthorizationResources"
 *   operator   := "where" expr
 *               | "project" column ( "," column )*          column := path | name "=" value
 *               | "extend" name "=" value ( "," name "=" value )*
 *               | ( "limit" | "take" ) integer
 *               | ( "order" | "sort" ) "by" path [ "asc" | "desc" ] ( "," path [ "asc" | "desc" ] )*
 *   expr       := and ( "or" and )*
 *   and        := unary ( "and" unary )*
 *   unary      := "not" "(" expr ")" | "(" expr ")" | ( "isempty" | "isnotempty" | "isnull" | "isnotnull" ) "(" value ")"
 *               | value cmp value | value inop "(" literal ( "," literal )* ")"
 *   cmp        := "==" | "!=" | "=~" | "!~" | "contains" | "!contains" | "startswith" | "endswith"
 *   inop       := "in" | "in~" | "!in" | "!in~"
 *   value      := literal | path | ( "tostring" | "tolower" | "toupper" ) "(" value ")"
 *   path       := name ( "." name | "[" string "]" )*
 *   literal    := string | number | "true" | "false"
 *
 * `project a.b` names the column `a_b`, as KQL does. `=~`, `in~`, `contains`, `startswith` and
 * `endswith` compare case-insensitively; `==`, `!=` and `in` case-sensitively.
 */

export type Row = Record<string, unknown>;

export class KqlError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

type Token = { kind: "name" | "string" | "number" | "op"; text: string; pos: number };

const OPERATORS = ["!in~", "in~", "!contains", "==", "!=", "=~", "!~", "!in", "|", "(", ")", ",", ".", "[", "]", "="];

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      let text = "";
      while (j < src.length && src[j] !== ch) {
        if (src[j] === "\\" && j + 1 < src.length) j++;
        text += src[j];
        j++;
      }
      if (j >= src.length) throw new KqlError("unterminated string literal", i);
      tokens.push({ kind: "string", text, pos: i });
      i = j + 1;
      continue;
    }
    const rest = src.slice(i);
    const op = OPERATORS.find((o) => rest.toLowerCase().startsWith(o) && !(/[a-z]$/i.test(o) && /[A-Za-z0-9_]/.test(rest[o.length] ?? "")));
    if (op) {
      tokens.push({ kind: "op", text: op.toLowerCase(), pos: i });
      i += op.length;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(rest);
    if (num) {
      tokens.push({ kind: "number", text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (name) {
      // `in~` written after a name token is handled above; a bare name can still be followed by `~`.
      tokens.push({ kind: "name", text: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    throw new KqlError(`unexpected character '${ch}'`, i);
  }
  return tokens;
}

type Value = { kind: "literal"; value: unknown } | { kind: "path"; path: string[] } | { kind: "fn"; name: string; arg: Value };
type Expr =
  | { kind: "and" | "or"; left: Expr; right: Expr }
  | { kind: "not"; expr: Expr }
  | { kind: "check"; name: string; value: Value }
  | { kind: "cmp"; op: string; left: Value; right: Value }
  | { kind: "in"; op: string; left: Value; list: unknown[] };
type Operator =
  | { kind: "where"; expr: Expr }
  | { kind: "project"; columns: { name: string; value: Value }[] }
  | { kind: "extend"; columns: { name: string; value: Value }[] }
  | { kind: "limit"; n: number }
  | { kind: "order"; keys: { value: Value; desc: boolean }[] };

export interface Query {
  table: "resources" | "authorizationresources";
  operators: Operator[];
}

const CMP_NAMES = ["contains", "startswith", "endswith"];

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private pos(): number {
    return this.peek()?.pos ?? this.length;
  }
  private isName(word: string): boolean {
    const t = this.peek();
    return t?.kind === "name" && t.text.toLowerCase() === word;
  }
  private isOp(op: string): boolean {
    const t = this.peek();
    return t?.kind === "op" && t.text === op;
  }
  private expectOp(op: string): void {
    if (!this.isOp(op)) throw new KqlError(`expected '${op}'`, this.pos());
    this.i++;
  }
  private name(): string {
    const t = this.peek();
    if (t?.kind !== "name") throw new KqlError("expected a name", this.pos());
    this.i++;
    return t.text;
  }

  parse(): Query {
    let table: Query["table"] = "resources";
    if (this.peek()?.kind === "name" && !this.isName("where")) {
      const t = this.name().toLowerCase();
      if (t !== "resources" && t !== "authorizationresources")
        throw new KqlError(`table '${t}' is not supported by the sandbox`, this.tokens[this.i - 1]?.pos ?? 0);
      table = t;
    }
    const operators: Operator[] = [];
    let first = table === "resources" && this.isName("where");
    while (this.peek()) {
      if (!first) this.expectOp("|");
      first = false;
      operators.push(this.operator());
    }
    return { table, operators };
  }

  private operator(): Operator {
    const at = this.pos();
    const word = this.name().toLowerCase();
    switch (word) {
      case "where":
        return { kind: "where", expr: this.orExpr() };
      case "project":
        return { kind: "project", columns: this.columns(true) };
      case "extend":
        return { kind: "extend", columns: this.columns(false) };
      case "limit":
      case "take": {
        const t = this.peek();
        if (t?.kind !== "number" || !/^\d+$/.test(t.text)) throw new KqlError("expected an integer", this.pos());
        this.i++;
        return { kind: "limit", n: Number(t.text) };
      }
      case "order":
      case "sort": {
        if (!this.isName("by")) throw new KqlError("expected 'by'", this.pos());
        this.i++;
        const keys: { value: Value; desc: boolean }[] = [];
        do {
          if (keys.length > 0) this.expectOp(",");
          const value = this.value();
          let desc = true; // KQL sorts descending by default
          if (this.isName("asc")) {
            desc = false;
            this.i++;
          } else if (this.isName("desc")) this.i++;
          keys.push({ value, desc });
        } while (this.isOp(","));
        return { kind: "order", keys };
      }
      default:
        throw new KqlError(`operator '${word}' is not supported by the sandbox`, at);
    }
  }

  private columns(bareAllowed: boolean): { name: string; value: Value }[] {
    const cols: { name: string; value: Value }[] = [];
    do {
      if (cols.length > 0) this.expectOp(",");
      const next = this.tokens[this.i + 1];
      if (this.peek()?.kind === "name" && next?.kind === "op" && next.text === "=") {
        const name = this.name();
        this.i++;
        cols.push({ name, value: this.value() });
      } else {
        if (!bareAllowed) throw new KqlError("expected 'name = value'", this.pos());
        const value = this.value();
        if (value.kind !== "path") throw new KqlError("a projected expression needs a name", this.pos());
        cols.push({ name: value.path.join("_"), value });
      }
    } while (this.isOp(","));
    return cols;
  }

  private orExpr(): Expr {
    let left = this.andExpr();
    while (this.isName("or")) {
      this.i++;
      left = { kind: "or", left, right: this.andExpr() };
    }
    return left;
  }

  private andExpr(): Expr {
    let left = this.unary();
    while (this.isName("and")) {
      this.i++;
      left = { kind: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isName("not")) {
      this.i++;
      this.expectOp("(");
      const expr = this.orExpr();
      this.expectOp(")");
      return { kind: "not", expr };
    }
    if (this.isOp("(")) {
      this.i++;
      const expr = this.orExpr();
      this.expectOp(")");
      return expr;
    }
    for (const check of ["isempty", "isnotempty", "isnull", "isnotnull"]) {
      if (this.isName(check)) {
        this.i++;
        this.expectOp("(");
        const value = this.value();
        this.expectOp(")");
        return { kind: "check", name: check, value };
      }
    }
    const left = this.value();
    const t = this.peek();
    if (t?.kind === "op" && ["==", "!=", "=~", "!~", "!contains"].includes(t.text)) {
      this.i++;
      return { kind: "cmp", op: t.text, left, right: this.value() };
    }
    if (t?.kind === "name" && CMP_NAMES.includes(t.text.toLowerCase())) {
      this.i++;
      return { kind: "cmp", op: t.text.toLowerCase(), left, right: this.value() };
    }
    let inOp: string | undefined;
    if (t?.kind === "op" && ["in~", "!in", "!in~"].includes(t.text)) inOp = t.text;
    else if (t?.kind === "name" && t.text.toLowerCase() === "in") inOp = "in";
    if (inOp) {
      this.i++;
      this.expectOp("(");
      const list: unknown[] = [];
      do {
        if (list.length > 0) this.expectOp(",");
        list.push(this.literal());
      } while (this.isOp(","));
      this.expectOp(")");
      return { kind: "in", op: inOp, left, list };
    }
    throw new KqlError("expected a comparison operator", this.pos());
  }

  private literal(): unknown {
    const t = this.peek();
    if (t?.kind === "string") {
      this.i++;
      return t.text;
    }
    if (t?.kind === "number") {
      this.i++;
      return Number(t.text);
    }
    if (this.isName("true") || this.isName("false")) {
      this.i++;
      return t?.text.toLowerCase() === "true";
    }
    throw new KqlError("expected a literal", this.pos());
  }

  private value(): Value {
    const t = this.peek();
    if (t?.kind === "string" || t?.kind === "number" || this.isName("true") || this.isName("false"))
      return { kind: "literal", value: this.literal() };
    for (const fn of ["tostring", "tolower", "toupper"]) {
      if (this.isName(fn) && this.tokens[this.i + 1]?.text === "(") {
        this.i += 2;
        const arg = this.value();
        this.expectOp(")");
        return { kind: "fn", name: fn, arg };
      }
    }
    const path = [this.name()];
    for (;;) {
      if (this.isOp(".")) {
        this.i++;
        path.push(this.name());
      } else if (this.isOp("[")) {
        this.i++;
        const key = this.peek();
        if (key?.kind !== "string") throw new KqlError("expected a string key", this.pos());
        this.i++;
        this.expectOp("]");
        path.push(key.text);
      } else break;
    }
    return { kind: "path", path };
  }
}

export function parseKql(src: string): Query {
  return new Parser(tokenize(src), src.length).parse();
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

function lookup(row: Row, path: string[]): unknown {
  let cur: unknown = row;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    // Column and property names in ARG are case-insensitive.
    const obj = cur as Record<string, unknown>;
    const k = key in obj ? key : Object.keys(obj).find((x) => x.toLowerCase() === key.toLowerCase());
    cur = k === undefined ? undefined : obj[k];
  }
  return cur;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function evalValue(v: Value, row: Row): unknown {
  switch (v.kind) {
    case "literal":
      return v.value;
    case "path":
      return lookup(row, v.path);
    case "fn": {
      const s = text(evalValue(v.arg, row));
      return v.name === "tolower" ? s.toLowerCase() : v.name === "toupper" ? s.toUpperCase() : s;
    }
  }
}

function evalExpr(e: Expr, row: Row): boolean {
  switch (e.kind) {
    case "and":
      return evalExpr(e.left, row) && evalExpr(e.right, row);
    case "or":
      return evalExpr(e.left, row) || evalExpr(e.right, row);
    case "not":
      return !evalExpr(e.expr, row);
    case "check": {
      const v = evalValue(e.value, row);
      const empty = v === undefined || v === null || v === "";
      if (e.name === "isempty") return empty;
      if (e.name === "isnotempty") return !empty;
      if (e.name === "isnull") return v === undefined || v === null;
      return v !== undefined && v !== null;
    }
    case "cmp": {
      const l = text(evalValue(e.left, row));
      const r = text(evalValue(e.right, row));
      switch (e.op) {
        case "==":
          return l === r;
        case "!=":
          return l !== r;
        case "=~":
          return l.toLowerCase() === r.toLowerCase();
        case "!~":
          return l.toLowerCase() !== r.toLowerCase();
        case "contains":
          return l.toLowerCase().includes(r.toLowerCase());
        case "!contains":
          return !l.toLowerCase().includes(r.toLowerCase());
        case "startswith":
          return l.toLowerCase().startsWith(r.toLowerCase());
        default:
          return l.toLowerCase().endsWith(r.toLowerCase());
      }
    }
    case "in": {
      const l = text(evalValue(e.left, row));
      const insensitive = e.op.endsWith("~");
      const hit = e.list.some((x) => (insensitive ? text(x).toLowerCase() === l.toLowerCase() : text(x) === l));
      return e.op.startsWith("!") ? !hit : hit;
    }
  }
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return text(a).localeCompare(text(b));
}

/** Runs the operators over the table's rows (already filtered to what the caller may read). */
export function runKql(query: Query, rows: Row[]): Row[] {
  let out = rows;
  for (const op of query.operators) {
    switch (op.kind) {
      case "where":
        out = out.filter((r) => evalExpr(op.expr, r));
        break;
      case "project":
        out = out.map((r) => Object.fromEntries(op.columns.map((c) => [c.name, evalValue(c.value, r) ?? null])));
        break;
      case "extend":
        out = out.map((r) => ({ ...r, ...Object.fromEntries(op.columns.map((c) => [c.name, evalValue(c.value, r) ?? null])) }));
        break;
      case "limit":
        out = out.slice(0, op.n);
        break;
      case "order":
        out = [...out].sort((a, b) => {
          for (const k of op.keys) {
            const c = compare(evalValue(k.value, a), evalValue(k.value, b));
            if (c !== 0) return k.desc ? -c : c;
          }
          return 0;
        });
        break;
    }
  }
  return out;
}
