// crossbake's dependency skeleton planner (src/skeleton-main.ts), bundled by scripts/bundle-skeleton.ts.
/* It includes @iarna/toml:
Copyright (c) 2016, Rebecca Turner <me@re-becca.org>

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
*/
import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});
var __commonJS = (cb, mod) => function __require2() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// node_modules/@iarna/toml/lib/parser.js
var require_parser = __commonJS({
  "node_modules/@iarna/toml/lib/parser.js"(exports2, module2) {
    "use strict";
    var ParserEND = 1114112;
    var ParserError = class _ParserError extends Error {
      /* istanbul ignore next */
      constructor(msg, filename, linenumber) {
        super("[ParserError] " + msg, filename, linenumber);
        this.name = "ParserError";
        this.code = "ParserError";
        if (Error.captureStackTrace) Error.captureStackTrace(this, _ParserError);
      }
    };
    var State = class {
      constructor(parser) {
        this.parser = parser;
        this.buf = "";
        this.returned = null;
        this.result = null;
        this.resultTable = null;
        this.resultArr = null;
      }
    };
    var Parser = class {
      constructor() {
        this.pos = 0;
        this.col = 0;
        this.line = 0;
        this.obj = {};
        this.ctx = this.obj;
        this.stack = [];
        this._buf = "";
        this.char = null;
        this.ii = 0;
        this.state = new State(this.parseStart);
      }
      parse(str) {
        if (str.length === 0 || str.length == null) return;
        this._buf = String(str);
        this.ii = -1;
        this.char = -1;
        let getNext;
        while (getNext === false || this.nextChar()) {
          getNext = this.runOne();
        }
        this._buf = null;
      }
      nextChar() {
        if (this.char === 10) {
          ++this.line;
          this.col = -1;
        }
        ++this.ii;
        this.char = this._buf.codePointAt(this.ii);
        ++this.pos;
        ++this.col;
        return this.haveBuffer();
      }
      haveBuffer() {
        return this.ii < this._buf.length;
      }
      runOne() {
        return this.state.parser.call(this, this.state.returned);
      }
      finish() {
        this.char = ParserEND;
        let last;
        do {
          last = this.state.parser;
          this.runOne();
        } while (this.state.parser !== last);
        this.ctx = null;
        this.state = null;
        this._buf = null;
        return this.obj;
      }
      next(fn) {
        if (typeof fn !== "function") throw new ParserError("Tried to set state to non-existent state: " + JSON.stringify(fn));
        this.state.parser = fn;
      }
      goto(fn) {
        this.next(fn);
        return this.runOne();
      }
      call(fn, returnWith) {
        if (returnWith) this.next(returnWith);
        this.stack.push(this.state);
        this.state = new State(fn);
      }
      callNow(fn, returnWith) {
        this.call(fn, returnWith);
        return this.runOne();
      }
      return(value) {
        if (this.stack.length === 0) throw this.error(new ParserError("Stack underflow"));
        if (value === void 0) value = this.state.buf;
        this.state = this.stack.pop();
        this.state.returned = value;
      }
      returnNow(value) {
        this.return(value);
        return this.runOne();
      }
      consume() {
        if (this.char === ParserEND) throw this.error(new ParserError("Unexpected end-of-buffer"));
        this.state.buf += this._buf[this.ii];
      }
      error(err) {
        err.line = this.line;
        err.col = this.col;
        err.pos = this.pos;
        return err;
      }
      /* istanbul ignore next */
      parseStart() {
        throw new ParserError("Must declare a parseStart method");
      }
    };
    Parser.END = ParserEND;
    Parser.Error = ParserError;
    module2.exports = Parser;
  }
});

// node_modules/@iarna/toml/lib/create-datetime.js
var require_create_datetime = __commonJS({
  "node_modules/@iarna/toml/lib/create-datetime.js"(exports2, module2) {
    "use strict";
    module2.exports = (value) => {
      const date = new Date(value);
      if (isNaN(date)) {
        throw new TypeError("Invalid Datetime");
      } else {
        return date;
      }
    };
  }
});

// node_modules/@iarna/toml/lib/format-num.js
var require_format_num = __commonJS({
  "node_modules/@iarna/toml/lib/format-num.js"(exports2, module2) {
    "use strict";
    module2.exports = (d, num) => {
      num = String(num);
      while (num.length < d) num = "0" + num;
      return num;
    };
  }
});

// node_modules/@iarna/toml/lib/create-datetime-float.js
var require_create_datetime_float = __commonJS({
  "node_modules/@iarna/toml/lib/create-datetime-float.js"(exports2, module2) {
    "use strict";
    var f = require_format_num();
    var FloatingDateTime = class extends Date {
      constructor(value) {
        super(value + "Z");
        this.isFloating = true;
      }
      toISOString() {
        const date = `${this.getUTCFullYear()}-${f(2, this.getUTCMonth() + 1)}-${f(2, this.getUTCDate())}`;
        const time = `${f(2, this.getUTCHours())}:${f(2, this.getUTCMinutes())}:${f(2, this.getUTCSeconds())}.${f(3, this.getUTCMilliseconds())}`;
        return `${date}T${time}`;
      }
    };
    module2.exports = (value) => {
      const date = new FloatingDateTime(value);
      if (isNaN(date)) {
        throw new TypeError("Invalid Datetime");
      } else {
        return date;
      }
    };
  }
});

// node_modules/@iarna/toml/lib/create-date.js
var require_create_date = __commonJS({
  "node_modules/@iarna/toml/lib/create-date.js"(exports2, module2) {
    "use strict";
    var f = require_format_num();
    var DateTime = global.Date;
    var Date2 = class extends DateTime {
      constructor(value) {
        super(value);
        this.isDate = true;
      }
      toISOString() {
        return `${this.getUTCFullYear()}-${f(2, this.getUTCMonth() + 1)}-${f(2, this.getUTCDate())}`;
      }
    };
    module2.exports = (value) => {
      const date = new Date2(value);
      if (isNaN(date)) {
        throw new TypeError("Invalid Datetime");
      } else {
        return date;
      }
    };
  }
});

// node_modules/@iarna/toml/lib/create-time.js
var require_create_time = __commonJS({
  "node_modules/@iarna/toml/lib/create-time.js"(exports2, module2) {
    "use strict";
    var f = require_format_num();
    var Time = class extends Date {
      constructor(value) {
        super(`0000-01-01T${value}Z`);
        this.isTime = true;
      }
      toISOString() {
        return `${f(2, this.getUTCHours())}:${f(2, this.getUTCMinutes())}:${f(2, this.getUTCSeconds())}.${f(3, this.getUTCMilliseconds())}`;
      }
    };
    module2.exports = (value) => {
      const date = new Time(value);
      if (isNaN(date)) {
        throw new TypeError("Invalid Datetime");
      } else {
        return date;
      }
    };
  }
});

// node_modules/@iarna/toml/lib/toml-parser.js
var require_toml_parser = __commonJS({
  "node_modules/@iarna/toml/lib/toml-parser.js"(exports, module) {
    "use strict";
    module.exports = makeParserClass(require_parser());
    module.exports.makeParserClass = makeParserClass;
    var TomlError = class _TomlError extends Error {
      constructor(msg) {
        super(msg);
        this.name = "TomlError";
        if (Error.captureStackTrace) Error.captureStackTrace(this, _TomlError);
        this.fromTOML = true;
        this.wrapped = null;
      }
    };
    TomlError.wrap = (err) => {
      const terr = new TomlError(err.message);
      terr.code = err.code;
      terr.wrapped = err;
      return terr;
    };
    module.exports.TomlError = TomlError;
    var createDateTime = require_create_datetime();
    var createDateTimeFloat = require_create_datetime_float();
    var createDate = require_create_date();
    var createTime = require_create_time();
    var CTRL_I = 9;
    var CTRL_J = 10;
    var CTRL_M = 13;
    var CTRL_CHAR_BOUNDARY = 31;
    var CHAR_SP = 32;
    var CHAR_QUOT = 34;
    var CHAR_NUM = 35;
    var CHAR_APOS = 39;
    var CHAR_PLUS = 43;
    var CHAR_COMMA = 44;
    var CHAR_HYPHEN = 45;
    var CHAR_PERIOD = 46;
    var CHAR_0 = 48;
    var CHAR_1 = 49;
    var CHAR_7 = 55;
    var CHAR_9 = 57;
    var CHAR_COLON = 58;
    var CHAR_EQUALS = 61;
    var CHAR_A = 65;
    var CHAR_E = 69;
    var CHAR_F = 70;
    var CHAR_T = 84;
    var CHAR_U = 85;
    var CHAR_Z = 90;
    var CHAR_LOWBAR = 95;
    var CHAR_a = 97;
    var CHAR_b = 98;
    var CHAR_e = 101;
    var CHAR_f = 102;
    var CHAR_i = 105;
    var CHAR_l = 108;
    var CHAR_n = 110;
    var CHAR_o = 111;
    var CHAR_r = 114;
    var CHAR_s = 115;
    var CHAR_t = 116;
    var CHAR_u = 117;
    var CHAR_x = 120;
    var CHAR_z = 122;
    var CHAR_LCUB = 123;
    var CHAR_RCUB = 125;
    var CHAR_LSQB = 91;
    var CHAR_BSOL = 92;
    var CHAR_RSQB = 93;
    var CHAR_DEL = 127;
    var SURROGATE_FIRST = 55296;
    var SURROGATE_LAST = 57343;
    var escapes = {
      [CHAR_b]: "\b",
      [CHAR_t]: "	",
      [CHAR_n]: "\n",
      [CHAR_f]: "\f",
      [CHAR_r]: "\r",
      [CHAR_QUOT]: '"',
      [CHAR_BSOL]: "\\"
    };
    function isDigit(cp) {
      return cp >= CHAR_0 && cp <= CHAR_9;
    }
    function isHexit(cp) {
      return cp >= CHAR_A && cp <= CHAR_F || cp >= CHAR_a && cp <= CHAR_f || cp >= CHAR_0 && cp <= CHAR_9;
    }
    function isBit(cp) {
      return cp === CHAR_1 || cp === CHAR_0;
    }
    function isOctit(cp) {
      return cp >= CHAR_0 && cp <= CHAR_7;
    }
    function isAlphaNumQuoteHyphen(cp) {
      return cp >= CHAR_A && cp <= CHAR_Z || cp >= CHAR_a && cp <= CHAR_z || cp >= CHAR_0 && cp <= CHAR_9 || cp === CHAR_APOS || cp === CHAR_QUOT || cp === CHAR_LOWBAR || cp === CHAR_HYPHEN;
    }
    function isAlphaNumHyphen(cp) {
      return cp >= CHAR_A && cp <= CHAR_Z || cp >= CHAR_a && cp <= CHAR_z || cp >= CHAR_0 && cp <= CHAR_9 || cp === CHAR_LOWBAR || cp === CHAR_HYPHEN;
    }
    var _type = /* @__PURE__ */ Symbol("type");
    var _declared = /* @__PURE__ */ Symbol("declared");
    var hasOwnProperty = Object.prototype.hasOwnProperty;
    var defineProperty = Object.defineProperty;
    var descriptor = { configurable: true, enumerable: true, writable: true, value: void 0 };
    function hasKey(obj, key) {
      if (hasOwnProperty.call(obj, key)) return true;
      if (key === "__proto__") defineProperty(obj, "__proto__", descriptor);
      return false;
    }
    var INLINE_TABLE = /* @__PURE__ */ Symbol("inline-table");
    function InlineTable() {
      return Object.defineProperties({}, {
        [_type]: { value: INLINE_TABLE }
      });
    }
    function isInlineTable(obj) {
      if (obj === null || typeof obj !== "object") return false;
      return obj[_type] === INLINE_TABLE;
    }
    var TABLE = /* @__PURE__ */ Symbol("table");
    function Table() {
      return Object.defineProperties({}, {
        [_type]: { value: TABLE },
        [_declared]: { value: false, writable: true }
      });
    }
    function isTable(obj) {
      if (obj === null || typeof obj !== "object") return false;
      return obj[_type] === TABLE;
    }
    var _contentType = /* @__PURE__ */ Symbol("content-type");
    var INLINE_LIST = /* @__PURE__ */ Symbol("inline-list");
    function InlineList(type) {
      return Object.defineProperties([], {
        [_type]: { value: INLINE_LIST },
        [_contentType]: { value: type }
      });
    }
    function isInlineList(obj) {
      if (obj === null || typeof obj !== "object") return false;
      return obj[_type] === INLINE_LIST;
    }
    var LIST = /* @__PURE__ */ Symbol("list");
    function List() {
      return Object.defineProperties([], {
        [_type]: { value: LIST }
      });
    }
    function isList(obj) {
      if (obj === null || typeof obj !== "object") return false;
      return obj[_type] === LIST;
    }
    var _custom;
    try {
      const utilInspect = eval("require('util').inspect");
      _custom = utilInspect.custom;
    } catch (_) {
    }
    var _inspect = _custom || "inspect";
    var BoxedBigInt = class {
      constructor(value) {
        try {
          this.value = global.BigInt.asIntN(64, value);
        } catch (_) {
          this.value = null;
        }
        Object.defineProperty(this, _type, { value: INTEGER });
      }
      isNaN() {
        return this.value === null;
      }
      /* istanbul ignore next */
      toString() {
        return String(this.value);
      }
      /* istanbul ignore next */
      [_inspect]() {
        return `[BigInt: ${this.toString()}]}`;
      }
      valueOf() {
        return this.value;
      }
    };
    var INTEGER = /* @__PURE__ */ Symbol("integer");
    function Integer(value) {
      let num = Number(value);
      if (Object.is(num, -0)) num = 0;
      if (global.BigInt && !Number.isSafeInteger(num)) {
        return new BoxedBigInt(value);
      } else {
        return Object.defineProperties(new Number(num), {
          isNaN: { value: function() {
            return isNaN(this);
          } },
          [_type]: { value: INTEGER },
          [_inspect]: { value: () => `[Integer: ${value}]` }
        });
      }
    }
    function isInteger(obj) {
      if (obj === null || typeof obj !== "object") return false;
      return obj[_type] === INTEGER;
    }
    var FLOAT = /* @__PURE__ */ Symbol("float");
    function Float(value) {
      return Object.defineProperties(new Number(value), {
        [_type]: { value: FLOAT },
        [_inspect]: { value: () => `[Float: ${value}]` }
      });
    }
    function isFloat(obj) {
      if (obj === null || typeof obj !== "object") return false;
      return obj[_type] === FLOAT;
    }
    function tomlType(value) {
      const type = typeof value;
      if (type === "object") {
        if (value === null) return "null";
        if (value instanceof Date) return "datetime";
        if (_type in value) {
          switch (value[_type]) {
            case INLINE_TABLE:
              return "inline-table";
            case INLINE_LIST:
              return "inline-list";
            /* istanbul ignore next */
            case TABLE:
              return "table";
            /* istanbul ignore next */
            case LIST:
              return "list";
            case FLOAT:
              return "float";
            case INTEGER:
              return "integer";
          }
        }
      }
      return type;
    }
    function makeParserClass(Parser) {
      class TOMLParser extends Parser {
        constructor() {
          super();
          this.ctx = this.obj = Table();
        }
        /* MATCH HELPER */
        atEndOfWord() {
          return this.char === CHAR_NUM || this.char === CTRL_I || this.char === CHAR_SP || this.atEndOfLine();
        }
        atEndOfLine() {
          return this.char === Parser.END || this.char === CTRL_J || this.char === CTRL_M;
        }
        parseStart() {
          if (this.char === Parser.END) {
            return null;
          } else if (this.char === CHAR_LSQB) {
            return this.call(this.parseTableOrList);
          } else if (this.char === CHAR_NUM) {
            return this.call(this.parseComment);
          } else if (this.char === CTRL_J || this.char === CHAR_SP || this.char === CTRL_I || this.char === CTRL_M) {
            return null;
          } else if (isAlphaNumQuoteHyphen(this.char)) {
            return this.callNow(this.parseAssignStatement);
          } else {
            throw this.error(new TomlError(`Unknown character "${this.char}"`));
          }
        }
        // HELPER, this strips any whitespace and comments to the end of the line
        // then RETURNS. Last state in a production.
        parseWhitespaceToEOL() {
          if (this.char === CHAR_SP || this.char === CTRL_I || this.char === CTRL_M) {
            return null;
          } else if (this.char === CHAR_NUM) {
            return this.goto(this.parseComment);
          } else if (this.char === Parser.END || this.char === CTRL_J) {
            return this.return();
          } else {
            throw this.error(new TomlError("Unexpected character, expected only whitespace or comments till end of line"));
          }
        }
        /* ASSIGNMENT: key = value */
        parseAssignStatement() {
          return this.callNow(this.parseAssign, this.recordAssignStatement);
        }
        recordAssignStatement(kv) {
          let target = this.ctx;
          let finalKey = kv.key.pop();
          for (let kw of kv.key) {
            if (hasKey(target, kw) && !isTable(target[kw])) {
              throw this.error(new TomlError("Can't redefine existing key"));
            }
            target = target[kw] = target[kw] || Table();
          }
          if (hasKey(target, finalKey)) {
            throw this.error(new TomlError("Can't redefine existing key"));
          }
          target[_declared] = true;
          if (isInteger(kv.value) || isFloat(kv.value)) {
            target[finalKey] = kv.value.valueOf();
          } else {
            target[finalKey] = kv.value;
          }
          return this.goto(this.parseWhitespaceToEOL);
        }
        /* ASSSIGNMENT expression, key = value possibly inside an inline table */
        parseAssign() {
          return this.callNow(this.parseKeyword, this.recordAssignKeyword);
        }
        recordAssignKeyword(key) {
          if (this.state.resultTable) {
            this.state.resultTable.push(key);
          } else {
            this.state.resultTable = [key];
          }
          return this.goto(this.parseAssignKeywordPreDot);
        }
        parseAssignKeywordPreDot() {
          if (this.char === CHAR_PERIOD) {
            return this.next(this.parseAssignKeywordPostDot);
          } else if (this.char !== CHAR_SP && this.char !== CTRL_I) {
            return this.goto(this.parseAssignEqual);
          }
        }
        parseAssignKeywordPostDot() {
          if (this.char !== CHAR_SP && this.char !== CTRL_I) {
            return this.callNow(this.parseKeyword, this.recordAssignKeyword);
          }
        }
        parseAssignEqual() {
          if (this.char === CHAR_EQUALS) {
            return this.next(this.parseAssignPreValue);
          } else {
            throw this.error(new TomlError('Invalid character, expected "="'));
          }
        }
        parseAssignPreValue() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else {
            return this.callNow(this.parseValue, this.recordAssignValue);
          }
        }
        recordAssignValue(value) {
          return this.returnNow({ key: this.state.resultTable, value });
        }
        /* COMMENTS: #...eol */
        parseComment() {
          do {
            if (this.char === Parser.END || this.char === CTRL_J) {
              return this.return();
            } else if (this.char === CHAR_DEL || this.char <= CTRL_CHAR_BOUNDARY && this.char !== CTRL_I) {
              throw this.errorControlCharIn("comments");
            }
          } while (this.nextChar());
        }
        /* TABLES AND LISTS, [foo] and [[foo]] */
        parseTableOrList() {
          if (this.char === CHAR_LSQB) {
            this.next(this.parseList);
          } else {
            return this.goto(this.parseTable);
          }
        }
        /* TABLE [foo.bar.baz] */
        parseTable() {
          this.ctx = this.obj;
          return this.goto(this.parseTableNext);
        }
        parseTableNext() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else {
            return this.callNow(this.parseKeyword, this.parseTableMore);
          }
        }
        parseTableMore(keyword) {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else if (this.char === CHAR_RSQB) {
            if (hasKey(this.ctx, keyword) && (!isTable(this.ctx[keyword]) || this.ctx[keyword][_declared])) {
              throw this.error(new TomlError("Can't redefine existing key"));
            } else {
              this.ctx = this.ctx[keyword] = this.ctx[keyword] || Table();
              this.ctx[_declared] = true;
            }
            return this.next(this.parseWhitespaceToEOL);
          } else if (this.char === CHAR_PERIOD) {
            if (!hasKey(this.ctx, keyword)) {
              this.ctx = this.ctx[keyword] = Table();
            } else if (isTable(this.ctx[keyword])) {
              this.ctx = this.ctx[keyword];
            } else if (isList(this.ctx[keyword])) {
              this.ctx = this.ctx[keyword][this.ctx[keyword].length - 1];
            } else {
              throw this.error(new TomlError("Can't redefine existing key"));
            }
            return this.next(this.parseTableNext);
          } else {
            throw this.error(new TomlError("Unexpected character, expected whitespace, . or ]"));
          }
        }
        /* LIST [[a.b.c]] */
        parseList() {
          this.ctx = this.obj;
          return this.goto(this.parseListNext);
        }
        parseListNext() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else {
            return this.callNow(this.parseKeyword, this.parseListMore);
          }
        }
        parseListMore(keyword) {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else if (this.char === CHAR_RSQB) {
            if (!hasKey(this.ctx, keyword)) {
              this.ctx[keyword] = List();
            }
            if (isInlineList(this.ctx[keyword])) {
              throw this.error(new TomlError("Can't extend an inline array"));
            } else if (isList(this.ctx[keyword])) {
              const next = Table();
              this.ctx[keyword].push(next);
              this.ctx = next;
            } else {
              throw this.error(new TomlError("Can't redefine an existing key"));
            }
            return this.next(this.parseListEnd);
          } else if (this.char === CHAR_PERIOD) {
            if (!hasKey(this.ctx, keyword)) {
              this.ctx = this.ctx[keyword] = Table();
            } else if (isInlineList(this.ctx[keyword])) {
              throw this.error(new TomlError("Can't extend an inline array"));
            } else if (isInlineTable(this.ctx[keyword])) {
              throw this.error(new TomlError("Can't extend an inline table"));
            } else if (isList(this.ctx[keyword])) {
              this.ctx = this.ctx[keyword][this.ctx[keyword].length - 1];
            } else if (isTable(this.ctx[keyword])) {
              this.ctx = this.ctx[keyword];
            } else {
              throw this.error(new TomlError("Can't redefine an existing key"));
            }
            return this.next(this.parseListNext);
          } else {
            throw this.error(new TomlError("Unexpected character, expected whitespace, . or ]"));
          }
        }
        parseListEnd(keyword) {
          if (this.char === CHAR_RSQB) {
            return this.next(this.parseWhitespaceToEOL);
          } else {
            throw this.error(new TomlError("Unexpected character, expected whitespace, . or ]"));
          }
        }
        /* VALUE string, number, boolean, inline list, inline object */
        parseValue() {
          if (this.char === Parser.END) {
            throw this.error(new TomlError("Key without value"));
          } else if (this.char === CHAR_QUOT) {
            return this.next(this.parseDoubleString);
          }
          if (this.char === CHAR_APOS) {
            return this.next(this.parseSingleString);
          } else if (this.char === CHAR_HYPHEN || this.char === CHAR_PLUS) {
            return this.goto(this.parseNumberSign);
          } else if (this.char === CHAR_i) {
            return this.next(this.parseInf);
          } else if (this.char === CHAR_n) {
            return this.next(this.parseNan);
          } else if (isDigit(this.char)) {
            return this.goto(this.parseNumberOrDateTime);
          } else if (this.char === CHAR_t || this.char === CHAR_f) {
            return this.goto(this.parseBoolean);
          } else if (this.char === CHAR_LSQB) {
            return this.call(this.parseInlineList, this.recordValue);
          } else if (this.char === CHAR_LCUB) {
            return this.call(this.parseInlineTable, this.recordValue);
          } else {
            throw this.error(new TomlError("Unexpected character, expecting string, number, datetime, boolean, inline array or inline table"));
          }
        }
        recordValue(value) {
          return this.returnNow(value);
        }
        parseInf() {
          if (this.char === CHAR_n) {
            return this.next(this.parseInf2);
          } else {
            throw this.error(new TomlError('Unexpected character, expected "inf", "+inf" or "-inf"'));
          }
        }
        parseInf2() {
          if (this.char === CHAR_f) {
            if (this.state.buf === "-") {
              return this.return(-Infinity);
            } else {
              return this.return(Infinity);
            }
          } else {
            throw this.error(new TomlError('Unexpected character, expected "inf", "+inf" or "-inf"'));
          }
        }
        parseNan() {
          if (this.char === CHAR_a) {
            return this.next(this.parseNan2);
          } else {
            throw this.error(new TomlError('Unexpected character, expected "nan"'));
          }
        }
        parseNan2() {
          if (this.char === CHAR_n) {
            return this.return(NaN);
          } else {
            throw this.error(new TomlError('Unexpected character, expected "nan"'));
          }
        }
        /* KEYS, barewords or basic, literal, or dotted */
        parseKeyword() {
          if (this.char === CHAR_QUOT) {
            return this.next(this.parseBasicString);
          } else if (this.char === CHAR_APOS) {
            return this.next(this.parseLiteralString);
          } else {
            return this.goto(this.parseBareKey);
          }
        }
        /* KEYS: barewords */
        parseBareKey() {
          do {
            if (this.char === Parser.END) {
              throw this.error(new TomlError("Key ended without value"));
            } else if (isAlphaNumHyphen(this.char)) {
              this.consume();
            } else if (this.state.buf.length === 0) {
              throw this.error(new TomlError("Empty bare keys are not allowed"));
            } else {
              return this.returnNow();
            }
          } while (this.nextChar());
        }
        /* STRINGS, single quoted (literal) */
        parseSingleString() {
          if (this.char === CHAR_APOS) {
            return this.next(this.parseLiteralMultiStringMaybe);
          } else {
            return this.goto(this.parseLiteralString);
          }
        }
        parseLiteralString() {
          do {
            if (this.char === CHAR_APOS) {
              return this.return();
            } else if (this.atEndOfLine()) {
              throw this.error(new TomlError("Unterminated string"));
            } else if (this.char === CHAR_DEL || this.char <= CTRL_CHAR_BOUNDARY && this.char !== CTRL_I) {
              throw this.errorControlCharIn("strings");
            } else {
              this.consume();
            }
          } while (this.nextChar());
        }
        parseLiteralMultiStringMaybe() {
          if (this.char === CHAR_APOS) {
            return this.next(this.parseLiteralMultiString);
          } else {
            return this.returnNow();
          }
        }
        parseLiteralMultiString() {
          if (this.char === CTRL_M) {
            return null;
          } else if (this.char === CTRL_J) {
            return this.next(this.parseLiteralMultiStringContent);
          } else {
            return this.goto(this.parseLiteralMultiStringContent);
          }
        }
        parseLiteralMultiStringContent() {
          do {
            if (this.char === CHAR_APOS) {
              return this.next(this.parseLiteralMultiEnd);
            } else if (this.char === Parser.END) {
              throw this.error(new TomlError("Unterminated multi-line string"));
            } else if (this.char === CHAR_DEL || this.char <= CTRL_CHAR_BOUNDARY && this.char !== CTRL_I && this.char !== CTRL_J && this.char !== CTRL_M) {
              throw this.errorControlCharIn("strings");
            } else {
              this.consume();
            }
          } while (this.nextChar());
        }
        parseLiteralMultiEnd() {
          if (this.char === CHAR_APOS) {
            return this.next(this.parseLiteralMultiEnd2);
          } else {
            this.state.buf += "'";
            return this.goto(this.parseLiteralMultiStringContent);
          }
        }
        parseLiteralMultiEnd2() {
          if (this.char === CHAR_APOS) {
            return this.next(this.parseLiteralMultiEnd3);
          } else {
            this.state.buf += "''";
            return this.goto(this.parseLiteralMultiStringContent);
          }
        }
        parseLiteralMultiEnd3() {
          if (this.char === CHAR_APOS) {
            this.state.buf += "'";
            return this.next(this.parseLiteralMultiEnd4);
          } else {
            return this.returnNow();
          }
        }
        parseLiteralMultiEnd4() {
          if (this.char === CHAR_APOS) {
            this.state.buf += "'";
            return this.return();
          } else {
            return this.returnNow();
          }
        }
        /* STRINGS double quoted */
        parseDoubleString() {
          if (this.char === CHAR_QUOT) {
            return this.next(this.parseMultiStringMaybe);
          } else {
            return this.goto(this.parseBasicString);
          }
        }
        parseBasicString() {
          do {
            if (this.char === CHAR_BSOL) {
              return this.call(this.parseEscape, this.recordEscapeReplacement);
            } else if (this.char === CHAR_QUOT) {
              return this.return();
            } else if (this.atEndOfLine()) {
              throw this.error(new TomlError("Unterminated string"));
            } else if (this.char === CHAR_DEL || this.char <= CTRL_CHAR_BOUNDARY && this.char !== CTRL_I) {
              throw this.errorControlCharIn("strings");
            } else {
              this.consume();
            }
          } while (this.nextChar());
        }
        recordEscapeReplacement(replacement) {
          this.state.buf += replacement;
          return this.goto(this.parseBasicString);
        }
        parseMultiStringMaybe() {
          if (this.char === CHAR_QUOT) {
            return this.next(this.parseMultiString);
          } else {
            return this.returnNow();
          }
        }
        parseMultiString() {
          if (this.char === CTRL_M) {
            return null;
          } else if (this.char === CTRL_J) {
            return this.next(this.parseMultiStringContent);
          } else {
            return this.goto(this.parseMultiStringContent);
          }
        }
        parseMultiStringContent() {
          do {
            if (this.char === CHAR_BSOL) {
              return this.call(this.parseMultiEscape, this.recordMultiEscapeReplacement);
            } else if (this.char === CHAR_QUOT) {
              return this.next(this.parseMultiEnd);
            } else if (this.char === Parser.END) {
              throw this.error(new TomlError("Unterminated multi-line string"));
            } else if (this.char === CHAR_DEL || this.char <= CTRL_CHAR_BOUNDARY && this.char !== CTRL_I && this.char !== CTRL_J && this.char !== CTRL_M) {
              throw this.errorControlCharIn("strings");
            } else {
              this.consume();
            }
          } while (this.nextChar());
        }
        errorControlCharIn(type) {
          let displayCode = "\\u00";
          if (this.char < 16) {
            displayCode += "0";
          }
          displayCode += this.char.toString(16);
          return this.error(new TomlError(`Control characters (codes < 0x1f and 0x7f) are not allowed in ${type}, use ${displayCode} instead`));
        }
        recordMultiEscapeReplacement(replacement) {
          this.state.buf += replacement;
          return this.goto(this.parseMultiStringContent);
        }
        parseMultiEnd() {
          if (this.char === CHAR_QUOT) {
            return this.next(this.parseMultiEnd2);
          } else {
            this.state.buf += '"';
            return this.goto(this.parseMultiStringContent);
          }
        }
        parseMultiEnd2() {
          if (this.char === CHAR_QUOT) {
            return this.next(this.parseMultiEnd3);
          } else {
            this.state.buf += '""';
            return this.goto(this.parseMultiStringContent);
          }
        }
        parseMultiEnd3() {
          if (this.char === CHAR_QUOT) {
            this.state.buf += '"';
            return this.next(this.parseMultiEnd4);
          } else {
            return this.returnNow();
          }
        }
        parseMultiEnd4() {
          if (this.char === CHAR_QUOT) {
            this.state.buf += '"';
            return this.return();
          } else {
            return this.returnNow();
          }
        }
        parseMultiEscape() {
          if (this.char === CTRL_M || this.char === CTRL_J) {
            return this.next(this.parseMultiTrim);
          } else if (this.char === CHAR_SP || this.char === CTRL_I) {
            return this.next(this.parsePreMultiTrim);
          } else {
            return this.goto(this.parseEscape);
          }
        }
        parsePreMultiTrim() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else if (this.char === CTRL_M || this.char === CTRL_J) {
            return this.next(this.parseMultiTrim);
          } else {
            throw this.error(new TomlError("Can't escape whitespace"));
          }
        }
        parseMultiTrim() {
          if (this.char === CTRL_J || this.char === CHAR_SP || this.char === CTRL_I || this.char === CTRL_M) {
            return null;
          } else {
            return this.returnNow();
          }
        }
        parseEscape() {
          if (this.char in escapes) {
            return this.return(escapes[this.char]);
          } else if (this.char === CHAR_u) {
            return this.call(this.parseSmallUnicode, this.parseUnicodeReturn);
          } else if (this.char === CHAR_U) {
            return this.call(this.parseLargeUnicode, this.parseUnicodeReturn);
          } else {
            throw this.error(new TomlError("Unknown escape character: " + this.char));
          }
        }
        parseUnicodeReturn(char) {
          try {
            const codePoint = parseInt(char, 16);
            if (codePoint >= SURROGATE_FIRST && codePoint <= SURROGATE_LAST) {
              throw this.error(new TomlError("Invalid unicode, character in range 0xD800 - 0xDFFF is reserved"));
            }
            return this.returnNow(String.fromCodePoint(codePoint));
          } catch (err) {
            throw this.error(TomlError.wrap(err));
          }
        }
        parseSmallUnicode() {
          if (!isHexit(this.char)) {
            throw this.error(new TomlError("Invalid character in unicode sequence, expected hex"));
          } else {
            this.consume();
            if (this.state.buf.length >= 4) return this.return();
          }
        }
        parseLargeUnicode() {
          if (!isHexit(this.char)) {
            throw this.error(new TomlError("Invalid character in unicode sequence, expected hex"));
          } else {
            this.consume();
            if (this.state.buf.length >= 8) return this.return();
          }
        }
        /* NUMBERS */
        parseNumberSign() {
          this.consume();
          return this.next(this.parseMaybeSignedInfOrNan);
        }
        parseMaybeSignedInfOrNan() {
          if (this.char === CHAR_i) {
            return this.next(this.parseInf);
          } else if (this.char === CHAR_n) {
            return this.next(this.parseNan);
          } else {
            return this.callNow(this.parseNoUnder, this.parseNumberIntegerStart);
          }
        }
        parseNumberIntegerStart() {
          if (this.char === CHAR_0) {
            this.consume();
            return this.next(this.parseNumberIntegerExponentOrDecimal);
          } else {
            return this.goto(this.parseNumberInteger);
          }
        }
        parseNumberIntegerExponentOrDecimal() {
          if (this.char === CHAR_PERIOD) {
            this.consume();
            return this.call(this.parseNoUnder, this.parseNumberFloat);
          } else if (this.char === CHAR_E || this.char === CHAR_e) {
            this.consume();
            return this.next(this.parseNumberExponentSign);
          } else {
            return this.returnNow(Integer(this.state.buf));
          }
        }
        parseNumberInteger() {
          if (isDigit(this.char)) {
            this.consume();
          } else if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnder);
          } else if (this.char === CHAR_E || this.char === CHAR_e) {
            this.consume();
            return this.next(this.parseNumberExponentSign);
          } else if (this.char === CHAR_PERIOD) {
            this.consume();
            return this.call(this.parseNoUnder, this.parseNumberFloat);
          } else {
            const result = Integer(this.state.buf);
            if (result.isNaN()) {
              throw this.error(new TomlError("Invalid number"));
            } else {
              return this.returnNow(result);
            }
          }
        }
        parseNoUnder() {
          if (this.char === CHAR_LOWBAR || this.char === CHAR_PERIOD || this.char === CHAR_E || this.char === CHAR_e) {
            throw this.error(new TomlError("Unexpected character, expected digit"));
          } else if (this.atEndOfWord()) {
            throw this.error(new TomlError("Incomplete number"));
          }
          return this.returnNow();
        }
        parseNoUnderHexOctBinLiteral() {
          if (this.char === CHAR_LOWBAR || this.char === CHAR_PERIOD) {
            throw this.error(new TomlError("Unexpected character, expected digit"));
          } else if (this.atEndOfWord()) {
            throw this.error(new TomlError("Incomplete number"));
          }
          return this.returnNow();
        }
        parseNumberFloat() {
          if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnder, this.parseNumberFloat);
          } else if (isDigit(this.char)) {
            this.consume();
          } else if (this.char === CHAR_E || this.char === CHAR_e) {
            this.consume();
            return this.next(this.parseNumberExponentSign);
          } else {
            return this.returnNow(Float(this.state.buf));
          }
        }
        parseNumberExponentSign() {
          if (isDigit(this.char)) {
            return this.goto(this.parseNumberExponent);
          } else if (this.char === CHAR_HYPHEN || this.char === CHAR_PLUS) {
            this.consume();
            this.call(this.parseNoUnder, this.parseNumberExponent);
          } else {
            throw this.error(new TomlError("Unexpected character, expected -, + or digit"));
          }
        }
        parseNumberExponent() {
          if (isDigit(this.char)) {
            this.consume();
          } else if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnder);
          } else {
            return this.returnNow(Float(this.state.buf));
          }
        }
        /* NUMBERS or DATETIMES  */
        parseNumberOrDateTime() {
          if (this.char === CHAR_0) {
            this.consume();
            return this.next(this.parseNumberBaseOrDateTime);
          } else {
            return this.goto(this.parseNumberOrDateTimeOnly);
          }
        }
        parseNumberOrDateTimeOnly() {
          if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnder, this.parseNumberInteger);
          } else if (isDigit(this.char)) {
            this.consume();
            if (this.state.buf.length > 4) this.next(this.parseNumberInteger);
          } else if (this.char === CHAR_E || this.char === CHAR_e) {
            this.consume();
            return this.next(this.parseNumberExponentSign);
          } else if (this.char === CHAR_PERIOD) {
            this.consume();
            return this.call(this.parseNoUnder, this.parseNumberFloat);
          } else if (this.char === CHAR_HYPHEN) {
            return this.goto(this.parseDateTime);
          } else if (this.char === CHAR_COLON) {
            return this.goto(this.parseOnlyTimeHour);
          } else {
            return this.returnNow(Integer(this.state.buf));
          }
        }
        parseDateTimeOnly() {
          if (this.state.buf.length < 4) {
            if (isDigit(this.char)) {
              return this.consume();
            } else if (this.char === CHAR_COLON) {
              return this.goto(this.parseOnlyTimeHour);
            } else {
              throw this.error(new TomlError("Expected digit while parsing year part of a date"));
            }
          } else {
            if (this.char === CHAR_HYPHEN) {
              return this.goto(this.parseDateTime);
            } else {
              throw this.error(new TomlError("Expected hyphen (-) while parsing year part of date"));
            }
          }
        }
        parseNumberBaseOrDateTime() {
          if (this.char === CHAR_b) {
            this.consume();
            return this.call(this.parseNoUnderHexOctBinLiteral, this.parseIntegerBin);
          } else if (this.char === CHAR_o) {
            this.consume();
            return this.call(this.parseNoUnderHexOctBinLiteral, this.parseIntegerOct);
          } else if (this.char === CHAR_x) {
            this.consume();
            return this.call(this.parseNoUnderHexOctBinLiteral, this.parseIntegerHex);
          } else if (this.char === CHAR_PERIOD) {
            return this.goto(this.parseNumberInteger);
          } else if (isDigit(this.char)) {
            return this.goto(this.parseDateTimeOnly);
          } else {
            return this.returnNow(Integer(this.state.buf));
          }
        }
        parseIntegerHex() {
          if (isHexit(this.char)) {
            this.consume();
          } else if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnderHexOctBinLiteral);
          } else {
            const result = Integer(this.state.buf);
            if (result.isNaN()) {
              throw this.error(new TomlError("Invalid number"));
            } else {
              return this.returnNow(result);
            }
          }
        }
        parseIntegerOct() {
          if (isOctit(this.char)) {
            this.consume();
          } else if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnderHexOctBinLiteral);
          } else {
            const result = Integer(this.state.buf);
            if (result.isNaN()) {
              throw this.error(new TomlError("Invalid number"));
            } else {
              return this.returnNow(result);
            }
          }
        }
        parseIntegerBin() {
          if (isBit(this.char)) {
            this.consume();
          } else if (this.char === CHAR_LOWBAR) {
            return this.call(this.parseNoUnderHexOctBinLiteral);
          } else {
            const result = Integer(this.state.buf);
            if (result.isNaN()) {
              throw this.error(new TomlError("Invalid number"));
            } else {
              return this.returnNow(result);
            }
          }
        }
        /* DATETIME */
        parseDateTime() {
          if (this.state.buf.length < 4) {
            throw this.error(new TomlError("Years less than 1000 must be zero padded to four characters"));
          }
          this.state.result = this.state.buf;
          this.state.buf = "";
          return this.next(this.parseDateMonth);
        }
        parseDateMonth() {
          if (this.char === CHAR_HYPHEN) {
            if (this.state.buf.length < 2) {
              throw this.error(new TomlError("Months less than 10 must be zero padded to two characters"));
            }
            this.state.result += "-" + this.state.buf;
            this.state.buf = "";
            return this.next(this.parseDateDay);
          } else if (isDigit(this.char)) {
            this.consume();
          } else {
            throw this.error(new TomlError("Incomplete datetime"));
          }
        }
        parseDateDay() {
          if (this.char === CHAR_T || this.char === CHAR_SP) {
            if (this.state.buf.length < 2) {
              throw this.error(new TomlError("Days less than 10 must be zero padded to two characters"));
            }
            this.state.result += "-" + this.state.buf;
            this.state.buf = "";
            return this.next(this.parseStartTimeHour);
          } else if (this.atEndOfWord()) {
            return this.returnNow(createDate(this.state.result + "-" + this.state.buf));
          } else if (isDigit(this.char)) {
            this.consume();
          } else {
            throw this.error(new TomlError("Incomplete datetime"));
          }
        }
        parseStartTimeHour() {
          if (this.atEndOfWord()) {
            return this.returnNow(createDate(this.state.result));
          } else {
            return this.goto(this.parseTimeHour);
          }
        }
        parseTimeHour() {
          if (this.char === CHAR_COLON) {
            if (this.state.buf.length < 2) {
              throw this.error(new TomlError("Hours less than 10 must be zero padded to two characters"));
            }
            this.state.result += "T" + this.state.buf;
            this.state.buf = "";
            return this.next(this.parseTimeMin);
          } else if (isDigit(this.char)) {
            this.consume();
          } else {
            throw this.error(new TomlError("Incomplete datetime"));
          }
        }
        parseTimeMin() {
          if (this.state.buf.length < 2 && isDigit(this.char)) {
            this.consume();
          } else if (this.state.buf.length === 2 && this.char === CHAR_COLON) {
            this.state.result += ":" + this.state.buf;
            this.state.buf = "";
            return this.next(this.parseTimeSec);
          } else {
            throw this.error(new TomlError("Incomplete datetime"));
          }
        }
        parseTimeSec() {
          if (isDigit(this.char)) {
            this.consume();
            if (this.state.buf.length === 2) {
              this.state.result += ":" + this.state.buf;
              this.state.buf = "";
              return this.next(this.parseTimeZoneOrFraction);
            }
          } else {
            throw this.error(new TomlError("Incomplete datetime"));
          }
        }
        parseOnlyTimeHour() {
          if (this.char === CHAR_COLON) {
            if (this.state.buf.length < 2) {
              throw this.error(new TomlError("Hours less than 10 must be zero padded to two characters"));
            }
            this.state.result = this.state.buf;
            this.state.buf = "";
            return this.next(this.parseOnlyTimeMin);
          } else {
            throw this.error(new TomlError("Incomplete time"));
          }
        }
        parseOnlyTimeMin() {
          if (this.state.buf.length < 2 && isDigit(this.char)) {
            this.consume();
          } else if (this.state.buf.length === 2 && this.char === CHAR_COLON) {
            this.state.result += ":" + this.state.buf;
            this.state.buf = "";
            return this.next(this.parseOnlyTimeSec);
          } else {
            throw this.error(new TomlError("Incomplete time"));
          }
        }
        parseOnlyTimeSec() {
          if (isDigit(this.char)) {
            this.consume();
            if (this.state.buf.length === 2) {
              return this.next(this.parseOnlyTimeFractionMaybe);
            }
          } else {
            throw this.error(new TomlError("Incomplete time"));
          }
        }
        parseOnlyTimeFractionMaybe() {
          this.state.result += ":" + this.state.buf;
          if (this.char === CHAR_PERIOD) {
            this.state.buf = "";
            this.next(this.parseOnlyTimeFraction);
          } else {
            return this.return(createTime(this.state.result));
          }
        }
        parseOnlyTimeFraction() {
          if (isDigit(this.char)) {
            this.consume();
          } else if (this.atEndOfWord()) {
            if (this.state.buf.length === 0) throw this.error(new TomlError("Expected digit in milliseconds"));
            return this.returnNow(createTime(this.state.result + "." + this.state.buf));
          } else {
            throw this.error(new TomlError("Unexpected character in datetime, expected period (.), minus (-), plus (+) or Z"));
          }
        }
        parseTimeZoneOrFraction() {
          if (this.char === CHAR_PERIOD) {
            this.consume();
            this.next(this.parseDateTimeFraction);
          } else if (this.char === CHAR_HYPHEN || this.char === CHAR_PLUS) {
            this.consume();
            this.next(this.parseTimeZoneHour);
          } else if (this.char === CHAR_Z) {
            this.consume();
            return this.return(createDateTime(this.state.result + this.state.buf));
          } else if (this.atEndOfWord()) {
            return this.returnNow(createDateTimeFloat(this.state.result + this.state.buf));
          } else {
            throw this.error(new TomlError("Unexpected character in datetime, expected period (.), minus (-), plus (+) or Z"));
          }
        }
        parseDateTimeFraction() {
          if (isDigit(this.char)) {
            this.consume();
          } else if (this.state.buf.length === 1) {
            throw this.error(new TomlError("Expected digit in milliseconds"));
          } else if (this.char === CHAR_HYPHEN || this.char === CHAR_PLUS) {
            this.consume();
            this.next(this.parseTimeZoneHour);
          } else if (this.char === CHAR_Z) {
            this.consume();
            return this.return(createDateTime(this.state.result + this.state.buf));
          } else if (this.atEndOfWord()) {
            return this.returnNow(createDateTimeFloat(this.state.result + this.state.buf));
          } else {
            throw this.error(new TomlError("Unexpected character in datetime, expected period (.), minus (-), plus (+) or Z"));
          }
        }
        parseTimeZoneHour() {
          if (isDigit(this.char)) {
            this.consume();
            if (/\d\d$/.test(this.state.buf)) return this.next(this.parseTimeZoneSep);
          } else {
            throw this.error(new TomlError("Unexpected character in datetime, expected digit"));
          }
        }
        parseTimeZoneSep() {
          if (this.char === CHAR_COLON) {
            this.consume();
            this.next(this.parseTimeZoneMin);
          } else {
            throw this.error(new TomlError("Unexpected character in datetime, expected colon"));
          }
        }
        parseTimeZoneMin() {
          if (isDigit(this.char)) {
            this.consume();
            if (/\d\d$/.test(this.state.buf)) return this.return(createDateTime(this.state.result + this.state.buf));
          } else {
            throw this.error(new TomlError("Unexpected character in datetime, expected digit"));
          }
        }
        /* BOOLEAN */
        parseBoolean() {
          if (this.char === CHAR_t) {
            this.consume();
            return this.next(this.parseTrue_r);
          } else if (this.char === CHAR_f) {
            this.consume();
            return this.next(this.parseFalse_a);
          }
        }
        parseTrue_r() {
          if (this.char === CHAR_r) {
            this.consume();
            return this.next(this.parseTrue_u);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        parseTrue_u() {
          if (this.char === CHAR_u) {
            this.consume();
            return this.next(this.parseTrue_e);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        parseTrue_e() {
          if (this.char === CHAR_e) {
            return this.return(true);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        parseFalse_a() {
          if (this.char === CHAR_a) {
            this.consume();
            return this.next(this.parseFalse_l);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        parseFalse_l() {
          if (this.char === CHAR_l) {
            this.consume();
            return this.next(this.parseFalse_s);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        parseFalse_s() {
          if (this.char === CHAR_s) {
            this.consume();
            return this.next(this.parseFalse_e);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        parseFalse_e() {
          if (this.char === CHAR_e) {
            return this.return(false);
          } else {
            throw this.error(new TomlError("Invalid boolean, expected true or false"));
          }
        }
        /* INLINE LISTS */
        parseInlineList() {
          if (this.char === CHAR_SP || this.char === CTRL_I || this.char === CTRL_M || this.char === CTRL_J) {
            return null;
          } else if (this.char === Parser.END) {
            throw this.error(new TomlError("Unterminated inline array"));
          } else if (this.char === CHAR_NUM) {
            return this.call(this.parseComment);
          } else if (this.char === CHAR_RSQB) {
            return this.return(this.state.resultArr || InlineList());
          } else {
            return this.callNow(this.parseValue, this.recordInlineListValue);
          }
        }
        recordInlineListValue(value) {
          if (!this.state.resultArr) {
            this.state.resultArr = InlineList(tomlType(value));
          }
          if (isFloat(value) || isInteger(value)) {
            this.state.resultArr.push(value.valueOf());
          } else {
            this.state.resultArr.push(value);
          }
          return this.goto(this.parseInlineListNext);
        }
        parseInlineListNext() {
          if (this.char === CHAR_SP || this.char === CTRL_I || this.char === CTRL_M || this.char === CTRL_J) {
            return null;
          } else if (this.char === CHAR_NUM) {
            return this.call(this.parseComment);
          } else if (this.char === CHAR_COMMA) {
            return this.next(this.parseInlineList);
          } else if (this.char === CHAR_RSQB) {
            return this.goto(this.parseInlineList);
          } else {
            throw this.error(new TomlError("Invalid character, expected whitespace, comma (,) or close bracket (])"));
          }
        }
        /* INLINE TABLE */
        parseInlineTable() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else if (this.char === Parser.END || this.char === CHAR_NUM || this.char === CTRL_J || this.char === CTRL_M) {
            throw this.error(new TomlError("Unterminated inline array"));
          } else if (this.char === CHAR_RCUB) {
            return this.return(this.state.resultTable || InlineTable());
          } else {
            if (!this.state.resultTable) this.state.resultTable = InlineTable();
            return this.callNow(this.parseAssign, this.recordInlineTableValue);
          }
        }
        recordInlineTableValue(kv) {
          let target = this.state.resultTable;
          let finalKey = kv.key.pop();
          for (let kw of kv.key) {
            if (hasKey(target, kw) && (!isTable(target[kw]) || target[kw][_declared])) {
              throw this.error(new TomlError("Can't redefine existing key"));
            }
            target = target[kw] = target[kw] || Table();
          }
          if (hasKey(target, finalKey)) {
            throw this.error(new TomlError("Can't redefine existing key"));
          }
          if (isInteger(kv.value) || isFloat(kv.value)) {
            target[finalKey] = kv.value.valueOf();
          } else {
            target[finalKey] = kv.value;
          }
          return this.goto(this.parseInlineTableNext);
        }
        parseInlineTableNext() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else if (this.char === Parser.END || this.char === CHAR_NUM || this.char === CTRL_J || this.char === CTRL_M) {
            throw this.error(new TomlError("Unterminated inline array"));
          } else if (this.char === CHAR_COMMA) {
            return this.next(this.parseInlineTablePostComma);
          } else if (this.char === CHAR_RCUB) {
            return this.goto(this.parseInlineTable);
          } else {
            throw this.error(new TomlError("Invalid character, expected whitespace, comma (,) or close bracket (])"));
          }
        }
        parseInlineTablePostComma() {
          if (this.char === CHAR_SP || this.char === CTRL_I) {
            return null;
          } else if (this.char === Parser.END || this.char === CHAR_NUM || this.char === CTRL_J || this.char === CTRL_M) {
            throw this.error(new TomlError("Unterminated inline array"));
          } else if (this.char === CHAR_COMMA) {
            throw this.error(new TomlError("Empty elements in inline tables are not permitted"));
          } else if (this.char === CHAR_RCUB) {
            throw this.error(new TomlError("Trailing commas in inline tables are not permitted"));
          } else {
            return this.goto(this.parseInlineTable);
          }
        }
      }
      return TOMLParser;
    }
  }
});

// node_modules/@iarna/toml/parse-pretty-error.js
var require_parse_pretty_error = __commonJS({
  "node_modules/@iarna/toml/parse-pretty-error.js"(exports2, module2) {
    "use strict";
    module2.exports = prettyError;
    function prettyError(err, buf) {
      if (err.pos == null || err.line == null) return err;
      let msg = err.message;
      msg += ` at row ${err.line + 1}, col ${err.col + 1}, pos ${err.pos}:
`;
      if (buf && buf.split) {
        const lines = buf.split(/\n/);
        const lineNumWidth = String(Math.min(lines.length, err.line + 3)).length;
        let linePadding = " ";
        while (linePadding.length < lineNumWidth) linePadding += " ";
        for (let ii = Math.max(0, err.line - 1); ii < Math.min(lines.length, err.line + 2); ++ii) {
          let lineNum = String(ii + 1);
          if (lineNum.length < lineNumWidth) lineNum = " " + lineNum;
          if (err.line === ii) {
            msg += lineNum + "> " + lines[ii] + "\n";
            msg += linePadding + "  ";
            for (let hh = 0; hh < err.col; ++hh) {
              msg += " ";
            }
            msg += "^\n";
          } else {
            msg += lineNum + ": " + lines[ii] + "\n";
          }
        }
      }
      err.message = msg + "\n";
      return err;
    }
  }
});

// node_modules/@iarna/toml/parse-string.js
var require_parse_string = __commonJS({
  "node_modules/@iarna/toml/parse-string.js"(exports2, module2) {
    "use strict";
    module2.exports = parseString;
    var TOMLParser = require_toml_parser();
    var prettyError = require_parse_pretty_error();
    function parseString(str) {
      if (global.Buffer && global.Buffer.isBuffer(str)) {
        str = str.toString("utf8");
      }
      const parser = new TOMLParser();
      try {
        parser.parse(str);
        return parser.finish();
      } catch (err) {
        throw prettyError(err, str);
      }
    }
  }
});

// node_modules/@iarna/toml/parse-async.js
var require_parse_async = __commonJS({
  "node_modules/@iarna/toml/parse-async.js"(exports2, module2) {
    "use strict";
    module2.exports = parseAsync;
    var TOMLParser = require_toml_parser();
    var prettyError = require_parse_pretty_error();
    function parseAsync(str, opts) {
      if (!opts) opts = {};
      const index = 0;
      const blocksize = opts.blocksize || 40960;
      const parser = new TOMLParser();
      return new Promise((resolve, reject) => {
        setImmediate(parseAsyncNext, index, blocksize, resolve, reject);
      });
      function parseAsyncNext(index2, blocksize2, resolve, reject) {
        if (index2 >= str.length) {
          try {
            return resolve(parser.finish());
          } catch (err) {
            return reject(prettyError(err, str));
          }
        }
        try {
          parser.parse(str.slice(index2, index2 + blocksize2));
          setImmediate(parseAsyncNext, index2 + blocksize2, blocksize2, resolve, reject);
        } catch (err) {
          reject(prettyError(err, str));
        }
      }
    }
  }
});

// node_modules/@iarna/toml/parse-stream.js
var require_parse_stream = __commonJS({
  "node_modules/@iarna/toml/parse-stream.js"(exports2, module2) {
    "use strict";
    module2.exports = parseStream;
    var stream = __require("stream");
    var TOMLParser = require_toml_parser();
    function parseStream(stm) {
      if (stm) {
        return parseReadable(stm);
      } else {
        return parseTransform(stm);
      }
    }
    function parseReadable(stm) {
      const parser = new TOMLParser();
      stm.setEncoding("utf8");
      return new Promise((resolve, reject) => {
        let readable;
        let ended = false;
        let errored = false;
        function finish() {
          ended = true;
          if (readable) return;
          try {
            resolve(parser.finish());
          } catch (err) {
            reject(err);
          }
        }
        function error(err) {
          errored = true;
          reject(err);
        }
        stm.once("end", finish);
        stm.once("error", error);
        readNext();
        function readNext() {
          readable = true;
          let data;
          while ((data = stm.read()) !== null) {
            try {
              parser.parse(data);
            } catch (err) {
              return error(err);
            }
          }
          readable = false;
          if (ended) return finish();
          if (errored) return;
          stm.once("readable", readNext);
        }
      });
    }
    function parseTransform() {
      const parser = new TOMLParser();
      return new stream.Transform({
        objectMode: true,
        transform(chunk, encoding, cb) {
          try {
            parser.parse(chunk.toString(encoding));
          } catch (err) {
            this.emit("error", err);
          }
          cb();
        },
        flush(cb) {
          try {
            this.push(parser.finish());
          } catch (err) {
            this.emit("error", err);
          }
          cb();
        }
      });
    }
  }
});

// node_modules/@iarna/toml/parse.js
var require_parse = __commonJS({
  "node_modules/@iarna/toml/parse.js"(exports2, module2) {
    "use strict";
    module2.exports = require_parse_string();
    module2.exports.async = require_parse_async();
    module2.exports.stream = require_parse_stream();
    module2.exports.prettyError = require_parse_pretty_error();
  }
});

// node_modules/@iarna/toml/stringify.js
var require_stringify = __commonJS({
  "node_modules/@iarna/toml/stringify.js"(exports2, module2) {
    "use strict";
    module2.exports = stringify;
    module2.exports.value = stringifyInline;
    function stringify(obj) {
      if (obj === null) throw typeError("null");
      if (obj === void 0) throw typeError("undefined");
      if (typeof obj !== "object") throw typeError(typeof obj);
      if (typeof obj.toJSON === "function") obj = obj.toJSON();
      if (obj == null) return null;
      const type = tomlType2(obj);
      if (type !== "table") throw typeError(type);
      return stringifyObject("", "", obj);
    }
    function typeError(type) {
      return new Error("Can only stringify objects, not " + type);
    }
    function getInlineKeys(obj) {
      return Object.keys(obj).filter((key) => isInline(obj[key]));
    }
    function getComplexKeys(obj) {
      return Object.keys(obj).filter((key) => !isInline(obj[key]));
    }
    function toJSON(obj) {
      let nobj = Array.isArray(obj) ? [] : Object.prototype.hasOwnProperty.call(obj, "__proto__") ? { ["__proto__"]: void 0 } : {};
      for (let prop of Object.keys(obj)) {
        if (obj[prop] && typeof obj[prop].toJSON === "function" && !("toISOString" in obj[prop])) {
          nobj[prop] = obj[prop].toJSON();
        } else {
          nobj[prop] = obj[prop];
        }
      }
      return nobj;
    }
    function stringifyObject(prefix, indent, obj) {
      obj = toJSON(obj);
      let inlineKeys;
      let complexKeys;
      inlineKeys = getInlineKeys(obj);
      complexKeys = getComplexKeys(obj);
      const result = [];
      const inlineIndent = indent || "";
      inlineKeys.forEach((key) => {
        var type = tomlType2(obj[key]);
        if (type !== "undefined" && type !== "null") {
          result.push(inlineIndent + stringifyKey(key) + " = " + stringifyAnyInline(obj[key], true));
        }
      });
      if (result.length > 0) result.push("");
      const complexIndent = prefix && inlineKeys.length > 0 ? indent + "  " : "";
      complexKeys.forEach((key) => {
        result.push(stringifyComplex(prefix, complexIndent, key, obj[key]));
      });
      return result.join("\n");
    }
    function isInline(value) {
      switch (tomlType2(value)) {
        case "undefined":
        case "null":
        case "integer":
        case "nan":
        case "float":
        case "boolean":
        case "string":
        case "datetime":
          return true;
        case "array":
          return value.length === 0 || tomlType2(value[0]) !== "table";
        case "table":
          return Object.keys(value).length === 0;
        /* istanbul ignore next */
        default:
          return false;
      }
    }
    function tomlType2(value) {
      if (value === void 0) {
        return "undefined";
      } else if (value === null) {
        return "null";
      } else if (typeof value === "bigint" || Number.isInteger(value) && !Object.is(value, -0)) {
        return "integer";
      } else if (typeof value === "number") {
        return "float";
      } else if (typeof value === "boolean") {
        return "boolean";
      } else if (typeof value === "string") {
        return "string";
      } else if ("toISOString" in value) {
        return isNaN(value) ? "undefined" : "datetime";
      } else if (Array.isArray(value)) {
        return "array";
      } else {
        return "table";
      }
    }
    function stringifyKey(key) {
      const keyStr = String(key);
      if (/^[-A-Za-z0-9_]+$/.test(keyStr)) {
        return keyStr;
      } else {
        return stringifyBasicString(keyStr);
      }
    }
    function stringifyBasicString(str) {
      return '"' + escapeString(str).replace(/"/g, '\\"') + '"';
    }
    function stringifyLiteralString(str) {
      return "'" + str + "'";
    }
    function numpad(num, str) {
      while (str.length < num) str = "0" + str;
      return str;
    }
    function escapeString(str) {
      return str.replace(/\\/g, "\\\\").replace(/[\b]/g, "\\b").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\f/g, "\\f").replace(/\r/g, "\\r").replace(/([\u0000-\u001f\u007f])/, (c) => "\\u" + numpad(4, c.codePointAt(0).toString(16)));
    }
    function stringifyMultilineString(str) {
      let escaped = str.split(/\n/).map((str2) => {
        return escapeString(str2).replace(/"(?="")/g, '\\"');
      }).join("\n");
      if (escaped.slice(-1) === '"') escaped += "\\\n";
      return '"""\n' + escaped + '"""';
    }
    function stringifyAnyInline(value, multilineOk) {
      let type = tomlType2(value);
      if (type === "string") {
        if (multilineOk && /\n/.test(value)) {
          type = "string-multiline";
        } else if (!/[\b\t\n\f\r']/.test(value) && /"/.test(value)) {
          type = "string-literal";
        }
      }
      return stringifyInline(value, type);
    }
    function stringifyInline(value, type) {
      if (!type) type = tomlType2(value);
      switch (type) {
        case "string-multiline":
          return stringifyMultilineString(value);
        case "string":
          return stringifyBasicString(value);
        case "string-literal":
          return stringifyLiteralString(value);
        case "integer":
          return stringifyInteger(value);
        case "float":
          return stringifyFloat(value);
        case "boolean":
          return stringifyBoolean(value);
        case "datetime":
          return stringifyDatetime(value);
        case "array":
          return stringifyInlineArray(value.filter((_) => tomlType2(_) !== "null" && tomlType2(_) !== "undefined" && tomlType2(_) !== "nan"));
        case "table":
          return stringifyInlineTable(value);
        /* istanbul ignore next */
        default:
          throw typeError(type);
      }
    }
    function stringifyInteger(value) {
      return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, "_");
    }
    function stringifyFloat(value) {
      if (value === Infinity) {
        return "inf";
      } else if (value === -Infinity) {
        return "-inf";
      } else if (Object.is(value, NaN)) {
        return "nan";
      } else if (Object.is(value, -0)) {
        return "-0.0";
      }
      const [int, dec] = String(value).split(".");
      return stringifyInteger(int) + "." + dec;
    }
    function stringifyBoolean(value) {
      return String(value);
    }
    function stringifyDatetime(value) {
      return value.toISOString();
    }
    function stringifyInlineArray(values) {
      values = toJSON(values);
      let result = "[";
      const stringified = values.map((_) => stringifyInline(_));
      if (stringified.join(", ").length > 60 || /\n/.test(stringified)) {
        result += "\n  " + stringified.join(",\n  ") + "\n";
      } else {
        result += " " + stringified.join(", ") + (stringified.length > 0 ? " " : "");
      }
      return result + "]";
    }
    function stringifyInlineTable(value) {
      value = toJSON(value);
      const result = [];
      Object.keys(value).forEach((key) => {
        result.push(stringifyKey(key) + " = " + stringifyAnyInline(value[key], false));
      });
      return "{ " + result.join(", ") + (result.length > 0 ? " " : "") + "}";
    }
    function stringifyComplex(prefix, indent, key, value) {
      const valueType = tomlType2(value);
      if (valueType === "array") {
        return stringifyArrayOfTables(prefix, indent, key, value);
      } else if (valueType === "table") {
        return stringifyComplexTable(prefix, indent, key, value);
      } else {
        throw typeError(valueType);
      }
    }
    function stringifyArrayOfTables(prefix, indent, key, values) {
      values = toJSON(values);
      const firstValueType = tomlType2(values[0]);
      if (firstValueType !== "table") throw typeError(firstValueType);
      const fullKey = prefix + stringifyKey(key);
      let result = "";
      values.forEach((table2) => {
        if (result.length > 0) result += "\n";
        result += indent + "[[" + fullKey + "]]\n";
        result += stringifyObject(fullKey + ".", indent, table2);
      });
      return result;
    }
    function stringifyComplexTable(prefix, indent, key, value) {
      const fullKey = prefix + stringifyKey(key);
      let result = "";
      if (getInlineKeys(value).length > 0) {
        result += indent + "[" + fullKey + "]\n";
      }
      return result + stringifyObject(fullKey + ".", indent, value);
    }
  }
});

// node_modules/@iarna/toml/toml.js
var require_toml = __commonJS({
  "node_modules/@iarna/toml/toml.js"(exports2) {
    "use strict";
    exports2.parse = require_parse();
    exports2.stringify = require_stringify();
  }
});

// src/skeleton-main.ts
import { mkdirSync, readFileSync as readFileSync2, writeFileSync } from "node:fs";
import { dirname, join as join2 } from "node:path";

// src/errors.ts
var ExitCode = {
  /** Bad input: manifests, settings, flags. */
  input: 2,
  /** The machine lacks something: docker, the daemon, buildx, a platform. */
  environment: 3,
  /** The build itself failed (compile, link, a Dockerfile step). */
  build: 4,
  /** A network fault: crates or images could not be fetched. */
  network: 5,
  /** The registry refused: login, push. */
  registry: 6,
  /** A generated file was edited by hand and would be overwritten. */
  conflict: 7,
  /** `--check`: a generated file differs from what crossbake would write now. */
  stale: 8,
  /** `verify`: a rebuild from scratch gave different images. */
  unreproducible: 9
};
var CrossbakeError = class extends Error {
  kind;
  /** Extra lines shown under the message (e.g. every validation problem). */
  details;
  constructor(kind, message, details = []) {
    super(message);
    this.name = "CrossbakeError";
    this.kind = kind;
    this.details = details;
  }
  get exitCode() {
    return ExitCode[this.kind];
  }
};
var inputError = (message, details = []) => new CrossbakeError("input", message, details);
function formatError(error) {
  return [`crossbake: ${error.message}`, ...error.details.map((d) => `  ${d}`)].join("\n");
}

// src/fs/read.ts
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
function invalidUtf8Offset(bytes) {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    if (c < 128) {
      i++;
      continue;
    }
    const n = c >= 194 && c <= 223 ? 1 : c >= 224 && c <= 239 ? 2 : c >= 240 && c <= 244 ? 3 : 0;
    if (n === 0 || i + n > bytes.length - 1) return i;
    let cp = c & 63 >> n;
    for (let k = 1; k <= n; k++) {
      const d = bytes[i + k];
      if ((d & 192) !== 128) return i;
      cp = cp << 6 | d & 63;
    }
    const min = [0, 128, 2048, 65536][n];
    if (cp < min || cp > 1114111 || cp >= 55296 && cp <= 57343) return i;
    i += n + 1;
  }
  return void 0;
}
function decodeUtf8(bytes, shown) {
  const at = invalidUtf8Offset(bytes);
  if (at !== void 0) {
    const line = bytes.subarray(0, at).filter((b) => b === 10).length + 1;
    throw inputError(`${shown}: invalid UTF-8 at byte ${at} (line ${line}). Cargo reads it as UTF-8; save it in that encoding.`);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}
function diskFiles(root, shown = root) {
  const realRoot = (() => {
    try {
      return realpathSync(root);
    } catch {
      return root;
    }
  })();
  const at = (path) => shown === "." ? path : `${shown}/${path}`;
  const realpath = (path) => {
    try {
      const rel = relative(realRoot, realpathSync(join(root, path)));
      return rel === "" ? "." : isAbsolute(rel) ? rel : rel.split("\\").join("/");
    } catch {
      return void 0;
    }
  };
  const confined = (path) => {
    if (isAbsolute(path)) throw inputError(`${path} is outside the workspace root ${shown}; crossbake reads only files inside it.`);
    const real = realpath(path);
    if (real !== void 0 && (real === ".." || real.startsWith("../") || isAbsolute(real))) {
      throw inputError(
        `${at(path)} resolves to ${join(realRoot, real)}, outside the workspace root ${shown}; the build context holds only what is inside it. Move it into the workspace, or replace the symlink by the files.`
      );
    }
    return join(root, path);
  };
  return {
    read(path) {
      const full = confined(path);
      let bytes;
      try {
        if (!statSync(full).isFile()) return void 0;
        bytes = readFileSync(full);
      } catch {
        return void 0;
      }
      return decodeUtf8(bytes, at(path));
    },
    list(dir) {
      const full = confined(dir);
      try {
        return readdirSync(full, { withFileTypes: true }).map((e) => ({
          name: e.name,
          isDirectory: e.isDirectory() || e.isSymbolicLink() && isDir(join(full, e.name))
        }));
      } catch {
        return void 0;
      }
    },
    realpath
  };
}
function isDir(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

// src/grammar.ts
var ALNUM = "[a-z0-9]+";
var SEPARATOR = "(?:[._]|__|-+)";
var PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
var DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
var DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:]+\\])(?::[0-9]+)?`;
var TAG = "[\\w][\\w.-]{0,127}";
var DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}";
var IMAGE_PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
var TAG_RE = new RegExp(`^${TAG}$`);
var REFERENCE_RE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
var REGISTRY_RE = new RegExp(`^${DOMAIN}(?:/${PATH_COMPONENT})*$`);
var CARGO_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
var cargoTargetName = (value) => CARGO_NAME_RE.test(value) && value.length <= 128 ? void 0 : "a Cargo name of ASCII letters, digits, _ and - (at most 128)";
var FEATURE_RE = /^[\p{XID_Start}0-9_][\p{XID_Continue}+.-]*$/u;
var cargoFeature = (value) => {
  const parts = value.split("/");
  const ok = parts.length === 1 && FEATURE_RE.test(value) || parts.length === 2 && CARGO_NAME_RE.test(parts[0]) && FEATURE_RE.test(parts[1]);
  return ok ? void 0 : 'a Cargo feature such as "tls" or "api/tls" (letters, digits, _ - + .)';
};
var rustVersion = (value) => /^\d+(\.\d+){0,2}$/.test(value) ? void 0 : 'a Rust version such as "1.79" or "1.79.0"';
function compareRustVersions(a, b) {
  const pa = a.split(".").map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split(".").map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
var CHANNEL_RE = /^(?:(stable|beta|nightly)|(\d+\.\d+(?:\.\d+)?))(?:-(\d{4}-\d{2}-\d{2}))?(?:-([a-z0-9_]+-[a-z0-9_]+-[a-z0-9_]+(?:-[a-z0-9_]+)?))?$/;
function parseToolchainChannel(value) {
  const m = CHANNEL_RE.exec(value);
  if (!m) return void 0;
  const [, named, version, date, host] = m;
  if (date) {
    const d = /* @__PURE__ */ new Date(`${date}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) return void 0;
    if (version) return void 0;
  }
  return {
    kind: named ?? "version",
    ...version ? { version } : {},
    ...date ? { date } : {},
    ...host ? { host } : {}
  };
}

// src/native/sys-crates.ts
var withDep = (name) => (deps) => deps.has(name);
var SYS_CRATES = [
  { crate: "openssl-sys", dev: ["libssl-dev"], bundled: withDep("openssl-src") },
  { crate: "libsqlite3-sys", dev: ["libsqlite3-dev"], bundled: withDep("cc") },
  { crate: "zstd-sys", dev: ["libzstd-dev"], bundled: (deps) => !deps.has("pkg-config") },
  { crate: "libz-sys", dev: ["zlib1g-dev"] },
  { crate: "bzip2-sys", dev: ["libbz2-dev"] },
  { crate: "lzma-sys", dev: ["liblzma-dev"] },
  { crate: "curl-sys", dev: ["libcurl4-openssl-dev"] },
  { crate: "pq-sys", dev: ["libpq-dev"] },
  { crate: "libgit2-sys", dev: ["libgit2-dev"] },
  { crate: "libssh2-sys", dev: ["libssh2-1-dev"] },
  // onig_sys compiles its bundled Oniguruma unless told otherwise.
  { crate: "onig_sys", dev: ["libonig-dev"], env: { RUSTONIG_SYSTEM_LIBONIG: "1" } },
  { crate: "freetype-sys", dev: ["libfreetype-dev"] },
  { crate: "servo-fontconfig-sys", dev: ["libfontconfig-dev"] },
  { crate: "yeslogic-fontconfig-sys", dev: ["libfontconfig-dev"] },
  { crate: "libdbus-sys", dev: ["libdbus-1-dev"] },
  { crate: "libudev-sys", dev: ["libudev-dev"] },
  { crate: "alsa-sys", dev: ["libasound2-dev"] },
  { crate: "expat-sys", dev: ["libexpat1-dev"] }
];
var NOTHING_FOR_TARGET = /* @__PURE__ */ new Set(["ring", "openssl-src", "libmimalloc-sys", "tikv-jemalloc-sys", "jemalloc-sys", "psm", "clang-sys"]);
var BUILD_TOOLS = [
  { crate: "bindgen", packages: ["clang", "libclang-dev"] },
  { crate: "prost-build", since: "0.11.0", packages: ["protobuf-compiler", "libprotobuf-dev"] },
  { crate: "cmake", packages: ["cmake"] }
];
function depNames(p) {
  return new Set(p.dependencies.map((d) => d.split(" ")[0]));
}
function nativeNeeds(packages) {
  const table2 = new Map(SYS_CRATES.map((s) => [s.crate, s]));
  const crates = [];
  const unknown = /* @__PURE__ */ new Set();
  const env = {};
  for (const p of packages) {
    if (p.source === void 0) continue;
    const known = table2.get(p.name);
    if (!known) {
      if (/[-_]sys$/.test(p.name) && !NOTHING_FOR_TARGET.has(p.name)) unknown.add(p.name);
      continue;
    }
    const bundled = known.bundled?.(depNames(p)) ?? false;
    crates.push({ crate: p.name, version: p.version, mode: bundled ? "bundled" : "system", packages: bundled ? [] : known.dev });
    if (!bundled) Object.assign(env, known.env ?? {});
  }
  const system = crates.some((c) => c.mode === "system");
  const tools = BUILD_TOOLS.filter(
    (tool) => packages.some(
      (p) => p.name === tool.crate && p.source !== void 0 && (!tool.since || compareRustVersions(p.version, tool.since) >= 0)
    )
  ).flatMap((tool) => tool.packages);
  return {
    crates: crates.sort((a, b) => a.crate.localeCompare(b.crate)),
    targetPackages: [...new Set(crates.flatMap((c) => c.packages))].sort(),
    buildPackages: [.../* @__PURE__ */ new Set([...system ? ["pkg-config"] : [], ...tools])].sort(),
    env,
    unknown: [...unknown].sort()
  };
}
function targetPackagesFor(needs, platform2, extra = []) {
  return [.../* @__PURE__ */ new Set([...needs.targetPackages, ...extra])].sort().map((p) => `${p}:${platform2.debianArch}`);
}
function crossEnv(platform2) {
  const t = platform2.rustTarget.replace(/-/g, "_");
  const m = platform2.multiarch;
  return {
    PKG_CONFIG_ALLOW_CROSS: "1",
    [`PKG_CONFIG_PATH_${t}`]: "",
    [`PKG_CONFIG_LIBDIR_${t}`]: `/usr/lib/${m}/pkgconfig:/usr/share/pkgconfig`,
    [`CC_${t}`]: `${m}-gcc`,
    [`CXX_${t}`]: `${m}-g++`,
    [`AR_${t}`]: `${m}-ar`,
    [`BINDGEN_EXTRA_CLANG_ARGS_${t}`]: `--target=${m} -I/usr/include/${m}`
  };
}
function exportLines(env) {
  return Object.entries(env).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'
`).join("");
}
function nativeFiles(packages, platforms) {
  const needs = nativeNeeds(packages);
  const lines = (items) => items.map((i) => `${i}
`).join("");
  return [
    { path: "build.packages", content: lines(needs.buildPackages) },
    ...platforms.flatMap((p) => [
      { path: `${p.debianArch}.packages`, content: lines(targetPackagesFor(needs, p)) },
      { path: `${p.debianArch}.env`, content: exportLines({ ...crossEnv(p), ...needs.env }) }
    ]),
    { path: "unknown-sys-crates", content: lines(needs.unknown) }
  ];
}

// src/platforms.ts
function platform(p) {
  const key = ["linux", p.arch, p.variant].filter(Boolean).join("-");
  return { os: "linux", key, readelfClass: p.elfClass === 64 ? "ELF64" : "ELF32", ...p };
}
var PLATFORMS = [
  platform({
    docker: "linux/amd64",
    arch: "amd64",
    variant: "",
    rustTarget: "x86_64-unknown-linux-gnu",
    debianArch: "amd64",
    gccPackage: "gcc-x86-64-linux-gnu",
    libcDevPackage: "libc6-dev-amd64-cross",
    linker: "x86_64-linux-gnu-gcc",
    qemu: "qemu-x86_64",
    elfDescription: "x86-64",
    elfMachine: 62,
    readelfMachine: "Advanced Micro Devices X86-64",
    elfClass: 64,
    multiarch: "x86_64-linux-gnu"
  }),
  platform({
    docker: "linux/arm64",
    arch: "arm64",
    variant: "",
    rustTarget: "aarch64-unknown-linux-gnu",
    debianArch: "arm64",
    gccPackage: "gcc-aarch64-linux-gnu",
    libcDevPackage: "libc6-dev-arm64-cross",
    linker: "aarch64-linux-gnu-gcc",
    qemu: "qemu-aarch64",
    elfDescription: "ARM aarch64",
    elfMachine: 183,
    readelfMachine: "AArch64",
    elfClass: 64,
    multiarch: "aarch64-linux-gnu"
  }),
  platform({
    docker: "linux/arm/v7",
    arch: "arm",
    variant: "v7",
    rustTarget: "armv7-unknown-linux-gnueabihf",
    debianArch: "armhf",
    gccPackage: "gcc-arm-linux-gnueabihf",
    libcDevPackage: "libc6-dev-armhf-cross",
    linker: "arm-linux-gnueabihf-gcc",
    qemu: "qemu-arm",
    elfDescription: "ARM, EABI5",
    elfMachine: 40,
    readelfMachine: "ARM",
    elfClass: 32,
    multiarch: "arm-linux-gnueabihf"
  })
];
var SUPPORTED_PLATFORMS = PLATFORMS.map((p) => p.docker);

// src/workspace/toml.ts
var import_toml = __toESM(require_toml(), 1);
var MAX_NESTING = 100;
function parseToml(text, file) {
  const source = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  let parsed;
  try {
    parsed = import_toml.default.parse(source);
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(file, void 0);
    const e = error;
    const where = e.line === void 0 ? file : `${file}:${e.line + 1}:${(e.col ?? 0) + 1}`;
    const reason = (e.message.split("\n")[0] ?? "invalid TOML").replace(/ at row \d+, col \d+, pos \d+:?$/, "");
    throw inputError(`${where}: invalid TOML: ${reason}. Fix the syntax there and run again.`);
  }
  const deep = tooDeepPath(parsed);
  if (deep !== void 0) throw tooDeep(file, deep);
  return parsed;
}
function tooDeep(file, path) {
  return inputError(
    `${file}: values nest more than ${MAX_NESTING} levels deep${path ? ` (at ${path})` : ""}; crossbake reads at most ${MAX_NESTING}. Flatten them.`
  );
}
function tooDeepPath(root) {
  const stack = [[root, 0, ""]];
  while (stack.length > 0) {
    const [value, depth, path] = stack.pop();
    if (depth > MAX_NESTING) return path;
    if (Array.isArray(value)) for (const [i, v] of value.entries()) stack.push([v, depth + 1, `${path}[${i}]`]);
    else if (isTable2(value)) for (const [k, v] of Object.entries(value)) stack.push([v, depth + 1, path ? `${path}.${k}` : k]);
  }
  return void 0;
}
function stringifyToml(table2) {
  return import_toml.default.stringify(table2);
}
function isTable2(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
function table(value) {
  return isTable2(value) ? value : {};
}
function describe(value) {
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  if (isTable2(value)) return "a table";
  if (typeof value === "string") return `a string (${JSON.stringify(value)})`;
  if (typeof value === "boolean") return `a boolean (${value})`;
  if (typeof value === "number") return `a number (${value})`;
  return typeof value;
}
function wrongType(where, key, expected, value) {
  return inputError(`${where}: ${key} must be ${expected}, not ${describe(value)}, as Cargo requires. Fix it there.`);
}
var typed = {
  string(value, where, key) {
    if (value === void 0 || typeof value === "string") return value;
    throw wrongType(where, key, "a string", value);
  },
  boolean(value, where, key) {
    if (value === void 0 || typeof value === "boolean") return value;
    throw wrongType(where, key, "true or false", value);
  },
  table(value, where, key) {
    if (value === void 0 || isTable2(value)) return value;
    throw wrongType(where, key, "a table", value);
  },
  strings(value, where, key) {
    if (value === void 0) return [];
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
    throw wrongType(where, key, "an array of strings", Array.isArray(value) ? value.find((v) => typeof v !== "string") : value);
  },
  tables(value, where, key) {
    if (value === void 0) return [];
    if (Array.isArray(value) && value.every(isTable2)) return value;
    throw wrongType(where, key, `an array of tables ([[${key}]])`, value);
  }
};

// src/workspace/crates.ts
var NORMAL_TABLES = ["dependencies", "build-dependencies"];
function normalDependencyNames(manifest, workspace) {
  const wsDeps = isTable2(workspace.dependencies) ? workspace.dependencies : {};
  const tables = NORMAL_TABLES.map((t) => manifest[t]).filter(isTable2);
  if (isTable2(manifest.target)) {
    for (const target of Object.values(manifest.target)) {
      if (isTable2(target)) tables.push(...NORMAL_TABLES.map((t) => target[t]).filter(isTable2));
    }
  }
  const names = /* @__PURE__ */ new Set();
  for (const table2 of tables) {
    for (const [key, spec] of Object.entries(table2)) {
      const inherited2 = isTable2(spec) && spec.workspace === true ? wsDeps[key] : void 0;
      const renamed = [spec, inherited2].find((s) => isTable2(s) && typeof s.package === "string");
      names.add(renamed ? String(renamed.package) : key);
    }
  }
  return names;
}
function findLocked(byName2, reference) {
  const [name, version, source] = reference.split(" ");
  const fitting = (byName2.get(name) ?? []).filter(
    (p) => (version === void 0 || p.version === version) && (source === void 0 || `(${p.source})` === source)
  );
  return fitting.length === 1 ? fitting[0] : fitting.find((p) => p.source === void 0);
}
var lockIndex = /* @__PURE__ */ new WeakMap();
function byName(packages) {
  let index = lockIndex.get(packages);
  if (!index) {
    index = /* @__PURE__ */ new Map();
    for (const p of packages) index.set(p.name, [...index.get(p.name) ?? [], p]);
    lockIndex.set(packages, index);
  }
  return index;
}
function binaryCrates(ws, bin) {
  const packages = ws.lockfile?.packages ?? [];
  const members = new Map(ws.members.map((m) => [m.name, m]));
  const wsTable = isTable2(ws.manifest.workspace) ? ws.manifest.workspace : {};
  const index = byName(packages);
  const start = index.get(bin.package)?.find((p) => p.source === void 0);
  if (!start) return [];
  const allowedOf = /* @__PURE__ */ new Map();
  const kept = /* @__PURE__ */ new Map();
  const queue = [start];
  while (queue.length > 0) {
    const p = queue.shift();
    if (kept.has(p)) continue;
    kept.set(p, true);
    const member = p.source === void 0 ? members.get(p.name) : void 0;
    const allowed = member ? allowedOf.get(member.name) ?? normalDependencyNames(member.manifest, wsTable) : void 0;
    if (member && allowed) allowedOf.set(member.name, allowed);
    for (const reference of p.dependencies) {
      const dep = findLocked(index, reference);
      if (dep && (!allowed || allowed.has(dep.name))) queue.push(dep);
    }
  }
  return packages.filter((p) => kept.has(p));
}
var quote = (s) => JSON.stringify(s);
function binaryLock(ws, bin) {
  return lockText(binaryCrates(ws, bin), ws.lockfile?.version ?? 3);
}
function lockText(crates, version) {
  const names = new Set(crates.map((c) => c.name));
  const blocks = crates.map((c) => {
    const deps = c.dependencies.filter((d) => names.has(d.split(" ")[0]));
    return [
      "[[package]]",
      `name = ${quote(c.name)}`,
      `version = ${quote(c.version)}`,
      ...c.source ? [`source = ${quote(c.source)}`] : [],
      ...c.checksum ? [`checksum = ${quote(c.checksum)}`] : [],
      ...deps.length > 0 ? ["dependencies = [", ...deps.map((d) => ` ${quote(d)},`), "]"] : []
    ].join("\n");
  });
  return [
    "# The crates of one binary, taken from the workspace Cargo.lock by crossbake.",
    `version = ${version}`,
    "",
    ...blocks.map((b) => `${b}
`)
  ].join("\n");
}

// src/workspace/debian.ts
var DEBIAN_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
function debianCratePackages(lockfile) {
  const names = /* @__PURE__ */ new Set();
  for (const p of lockfile?.packages ?? []) {
    if (!p.source?.startsWith("registry+")) continue;
    const name = `librust-${p.name.toLowerCase().replace(/_/g, "-")}-dev`;
    if (!DEBIAN_PACKAGE.test(name)) {
      throw inputError(
        `${lockfile?.path}: package "${p.name}" cannot be a Debian crate package name. Fix its name in Cargo.lock, or list the crates by hand in debian.crates.`
      );
    }
    names.add(name);
  }
  return [...names].sort();
}

// src/workspace/inputs.ts
function layoutFiles(layout, read, readText) {
  const texts = new Set(read);
  const own = (record, key) => Object.hasOwn(record, key) ? record[key] : void 0;
  return {
    read: (path) => texts.has(path) ? readText(path) : own(layout.files, path) ? "" : void 0,
    isFile: (path) => texts.has(path) || own(layout.files, path) === true,
    list: (dir) => own(layout.lists, dir)?.map((e) => e.endsWith("/") ? { name: e.slice(0, -1), isDirectory: true } : { name: e, isDirectory: false }),
    realpath: (path) => own(layout.realpaths, path) ?? void 0
  };
}

// src/workspace/files.ts
function leavesRoot(path) {
  return path.startsWith("/") || path === ".." || path.startsWith("../") || /^[A-Za-z]:/.test(path);
}
function joinPath(...parts) {
  const out = [];
  for (const part of parts.join("/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else out.push(part);
  }
  return out.join("/") || ".";
}
function isFile(files, path) {
  return files.isFile ? files.isFile(path) : files.read(path) !== void 0;
}

// src/workspace/glob.ts
var GLOB_CHARS = /[*?[]/;
function isGlob(pattern) {
  return GLOB_CHARS.test(pattern);
}
function segmentRegex(segment) {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = segment.indexOf("]", i + 1);
      if (end === -1) re += "\\[";
      else {
        re += `[${segment.slice(i + 1, end).replace(/^!/, "^")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
function globDirectories(files, pattern) {
  const segments = joinPath(pattern).split("/");
  const found = /* @__PURE__ */ new Set();
  const walk = (dir, rest) => {
    if (rest.length === 0) {
      found.add(dir);
      return;
    }
    const [head, ...tail] = rest;
    if (head === "**") {
      walk(dir, tail);
      for (const entry of files.list(dir) ?? []) {
        const child = joinPath(dir, entry.name);
        if (entry.isDirectory && !entry.name.startsWith(".") && !leavesRoot(files.realpath(child) ?? "")) walk(child, rest);
      }
      return;
    }
    if (!isGlob(head)) {
      const next = joinPath(dir, head);
      if (files.list(next) !== void 0) walk(next, tail);
      return;
    }
    const re = segmentRegex(head);
    for (const entry of files.list(dir) ?? []) {
      if (entry.isDirectory && re.test(entry.name)) walk(joinPath(dir, entry.name), tail);
    }
  };
  walk(".", segments);
  return [...found].sort();
}
function isExcluded(dir, excludes) {
  return excludes.some((raw) => {
    const pattern = joinPath(raw);
    if (isGlob(pattern)) {
      const parts = pattern.split("/");
      const dirParts = dir.split("/");
      return parts.length <= dirParts.length && parts.every((p, i) => segmentRegex(p).test(dirParts[i]));
    }
    return dir === pattern || dir.startsWith(`${pattern}/`);
  });
}

// src/workspace/targets.ts
function inferredBins(files, dir, packageName) {
  const found = [];
  if (isFile(files, joinPath(dir, "src/main.rs"))) found.push({ name: packageName, path: joinPath(dir, "src/main.rs") });
  const binDir = joinPath(dir, "src/bin");
  for (const entry of [...files.list(binDir) ?? []].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory && entry.name.endsWith(".rs")) {
      found.push({ name: entry.name.slice(0, -3), path: joinPath(binDir, entry.name) });
    } else if (entry.isDirectory && isFile(files, joinPath(binDir, entry.name, "main.rs"))) {
      found.push({ name: entry.name, path: joinPath(binDir, entry.name, "main.rs") });
    }
  }
  return found;
}
function explicitTargets(manifest, key) {
  const value = manifest[key];
  return Array.isArray(value) ? value.filter(isTable2) : [];
}
function defaultTargetPath(files, dir, kind, name, inferred) {
  const hit = inferred.find((c) => c.name === name);
  if (hit) return hit.path;
  const folder = { bin: "src/bin", example: "examples", test: "tests", bench: "benches" }[kind];
  const candidates = [joinPath(dir, folder, `${name}.rs`), joinPath(dir, folder, name, "main.rs")];
  return candidates.find((p) => isFile(files, p));
}
function discoverTargets(files, dir, manifestPath, packageName, edition, manifest) {
  const pkg = table(manifest.package);
  const explicitBins = typed.tables(manifest.bin, manifestPath, "bin");
  const autobinsDefault = !(edition === "2015" && explicitBins.length > 0);
  const autobins = typed.boolean(pkg.autobins, manifestPath, "package.autobins") ?? autobinsDefault;
  const inferred = inferredBins(files, dir, packageName);
  const bins = [];
  for (const bin of explicitBins) {
    typed.string(bin.name, manifestPath, "bin.name");
    typed.string(bin.path, manifestPath, `bin "${String(bin.name)}" path`);
    if (typeof bin.name !== "string" || bin.name === "") {
      throw inputError(`${manifestPath}: a [[bin]] has no name. Give every [[bin]] a \`name = "..."\`.`);
    }
    const path = typeof bin.path === "string" ? joinPath(dir, bin.path) : defaultTargetPath(files, dir, "bin", bin.name, inferred);
    if (path === void 0) {
      throw inputError(
        `${manifestPath}: [[bin]] "${bin.name}" has no path and none of src/main.rs, src/bin/${bin.name}.rs, src/bin/${bin.name}/main.rs exists. Add \`path = "..."\` to it.`
      );
    }
    if (typeof bin.path === "string") {
      confineTarget(files, manifestPath, bin.name, bin.path, path);
      if (!isFile(files, path)) {
        throw inputError(
          `${manifestPath}: [[bin]] "${bin.name}" has path "${bin.path}", but ${path} does not exist; cargo stops there too. Fix the path or create the file.`
        );
      }
    }
    const requiredFeatures = typed.strings(bin["required-features"], manifestPath, `bin "${bin.name}" required-features`);
    for (const f of requiredFeatures) {
      const problem = cargoFeature(f);
      if (problem)
        throw inputError(`${manifestPath}: [[bin]] "${bin.name}" required-features: "${f}" is not ${problem.replace(/^a /, "a valid ")}.`);
    }
    bins.push({ package: packageName, name: bin.name, path, requiredFeatures });
  }
  if (autobins) {
    for (const c of inferred) {
      if (bins.some((b) => b.name === c.name || b.path === c.path)) continue;
      bins.push({ package: packageName, name: c.name, path: c.path, requiredFeatures: [] });
    }
  }
  for (const b of bins) {
    const problem = cargoTargetName(b.name);
    if (problem) {
      throw inputError(
        `${manifestPath}: binary "${b.name}" (${b.path}) cannot name an image or a Dockerfile stage: expected ${problem}. Rename it with a [[bin]] name.`
      );
    }
  }
  const targetFiles = bins.map((b) => ({ kind: "bin", path: b.path }));
  const lib = table(manifest.lib);
  const libPath = typeof lib.path === "string" ? joinPath(dir, lib.path) : joinPath(dir, "src/lib.rs");
  if (typeof lib.path === "string" || pkg.autolib !== false && isFile(files, libPath) || isTable2(manifest.lib)) {
    targetFiles.push({ kind: "lib", path: libPath });
  }
  for (const kind of ["example", "test", "bench"]) {
    for (const t of explicitTargets(manifest, kind)) {
      if (typeof t.name !== "string") continue;
      const path = typeof t.path === "string" ? joinPath(dir, t.path) : defaultTargetPath(files, dir, kind, t.name, []);
      if (path !== void 0) targetFiles.push({ kind, path });
    }
  }
  const build = pkg.build;
  if (typeof build === "string") targetFiles.push({ kind: "build-script", path: joinPath(dir, build) });
  else if (build !== false && isFile(files, joinPath(dir, "build.rs"))) {
    targetFiles.push({ kind: "build-script", path: joinPath(dir, "build.rs") });
  }
  return { bins, targetFiles };
}
function confineTarget(files, manifestPath, name, raw, path) {
  const real = raw.startsWith("/") ? raw : leavesRoot(path) ? path : files.realpath(path);
  if (real !== void 0 && leavesRoot(real)) {
    throw inputError(
      `${manifestPath}: [[bin]] "${name}" path "${raw}" ${real === path || real === raw ? "is" : `resolves to ${real},`} outside the workspace root, which is all the Docker build can see. Move the file inside the workspace.`
    );
  }
}

// src/workspace/read.ts
function inherited(value, key, workspacePackage, manifestPath) {
  if (isTable2(value) && value.workspace === true) {
    if (!(key in workspacePackage)) {
      throw inputError(
        `${manifestPath}: \`${key}.workspace = true\` but the workspace's Cargo.toml has no [workspace.package] ${key}. Add it there.`
      );
    }
    return workspacePackage[key];
  }
  return value;
}
function readManifest(files, path, at) {
  const text = files.read(path);
  if (text === void 0) throw inputError(`${at(path)} not found.`);
  return parseToml(text, at(path));
}
function readPackage(files, dir, workspacePackage, at, manifest) {
  const manifestPath = joinPath(dir, "Cargo.toml");
  const shown = at(manifestPath);
  const toml = manifest ?? readManifest(files, manifestPath, at);
  if (!isTable2(toml.package)) {
    throw inputError(
      `${shown}: no [package] table. A workspace member must be a package; add [package] or drop it from workspace.members.`
    );
  }
  const pkg = toml.package;
  typed.string(pkg.name, shown, "package.name");
  if (typeof pkg.name !== "string" || pkg.name === "") {
    throw inputError(`${shown}: [package] has no name. Add \`name = "..."\`.`);
  }
  const badName = cargoTargetName(pkg.name);
  if (badName)
    throw inputError(
      `${shown}: package name ${JSON.stringify(pkg.name)} is not ${badName.replace(/^a /, "a valid ")}; cargo refuses it too.`
    );
  const version = typed.string(inherited(pkg.version, "version", workspacePackage, shown), shown, "package.version") ?? "0.0.0";
  const edition = typed.string(inherited(pkg.edition, "edition", workspacePackage, shown), shown, "package.edition") ?? "2015";
  typed.string(inherited(pkg["rust-version"], "rust-version", workspacePackage, shown), shown, "package.rust-version");
  const { bins, targetFiles } = discoverTargets(files, dir, shown, pkg.name, String(edition), toml);
  return {
    name: pkg.name,
    version: String(version),
    dir,
    manifestPath,
    edition: String(edition),
    bins,
    targetFiles,
    crossbakeMetadata: table(pkg.metadata).crossbake,
    manifest: toml
  };
}
function confineToRoot(files, subject, raw, dir, why, fix) {
  if (leavesRoot(raw) || leavesRoot(dir)) throw inputError(`${subject} is outside the workspace root; ${why}. ${fix}`);
  const real = files.realpath(dir);
  if (real !== void 0 && leavesRoot(real))
    throw inputError(`${subject} is a symlink to ${real}, outside the workspace root; ${why}. ${fix}`);
}
function memberDirectories(files, workspace, at) {
  const where = at("Cargo.toml");
  const excludes = typed.strings(workspace.exclude, where, "workspace.exclude");
  const dirs = [];
  for (const pattern of typed.strings(workspace.members, where, "workspace.members")) {
    const matched = isGlob(pattern) ? globDirectories(files, pattern) : [joinPath(pattern)];
    const kept = isGlob(pattern) ? matched.filter((d) => !isExcluded(d, excludes)) : matched;
    if (isGlob(pattern) && matched.length === 0) {
      throw inputError(
        `${at("Cargo.toml")}: workspace.members pattern "${pattern}" matches no directory. Fix the pattern or remove it from workspace.members.`
      );
    }
    for (const dir of kept) {
      const raw = isGlob(pattern) ? dir : pattern;
      confineToRoot(
        files,
        `${at("Cargo.toml")}: workspace.members "${raw}"`,
        raw,
        dir,
        "a member must be inside it (and the build context holds only what is)",
        "Move it under the root or remove it."
      );
      if (files.list(dir) === void 0) {
        throw inputError(`${at("Cargo.toml")}: workspace member "${dir}" does not exist. Create it or remove it from workspace.members.`);
      }
      if (files.read(joinPath(dir, "Cargo.toml")) === void 0) {
        throw inputError(
          `workspace member "${dir}" has no Cargo.toml. Add one, or list "${dir}" under workspace.exclude in ${at("Cargo.toml")}.`
        );
      }
      if (!dirs.includes(dir)) dirs.push(dir);
    }
  }
  return dirs;
}
var DEPENDENCY_KINDS = ["dependencies", "dev-dependencies", "build-dependencies"];
var absolute = (path) => path.startsWith("/") || /^[A-Za-z]:/.test(path);
function pathDependencies(manifest, dir, workspaceDependencies) {
  const found = [];
  for (const scope of [manifest, ...Object.values(table(manifest.target)).filter(isTable2)]) {
    for (const kind of DEPENDENCY_KINDS) {
      for (const [name, dep] of Object.entries(table(scope[kind]))) {
        if (!isTable2(dep)) continue;
        const inherited2 = dep.workspace === true ? workspaceDependencies[name] : void 0;
        if (typeof dep.path === "string") found.push({ name, raw: dep.path, dir: absolute(dep.path) ? dep.path : joinPath(dir, dep.path) });
        else if (isTable2(inherited2) && typeof inherited2.path === "string")
          found.push({ name, raw: inherited2.path, dir: absolute(inherited2.path) ? inherited2.path : joinPath(inherited2.path) });
      }
    }
  }
  return found;
}
function patchPaths(manifest) {
  const found = [];
  const add = (name, dep, where) => {
    if (isTable2(dep) && typeof dep.path === "string")
      found.push({ name, raw: dep.path, dir: absolute(dep.path) ? dep.path : joinPath(dep.path), table: where });
  };
  for (const [source, entries] of Object.entries(table(manifest.patch)))
    for (const [name, dep] of Object.entries(table(entries))) add(name, dep, `patch.${source}`);
  for (const [spec, dep] of Object.entries(table(manifest.replace))) add(spec, dep, "replace");
  return found;
}
function pathPackages(files, members, manifest, workspace, at) {
  const excludes = typed.strings(workspace?.exclude, at("Cargo.toml"), "workspace.exclude");
  const rootDependencies = table(workspace?.dependencies);
  const known = new Set(members.map((m) => m.dir));
  const found = { members: [], local: [] };
  const memberQueue = members.map((pkg) => ({ pkg, member: true, dependencies: rootDependencies }));
  const localQueue = [];
  const visit = (dep, where, fromMember) => {
    confineToRoot(
      files,
      where,
      dep.dir,
      dep.dir,
      "the build context holds only what is inside it",
      "Move that crate inside the workspace, or build from a directory that holds both."
    );
    if (known.has(dep.dir)) return;
    const manifestPath = joinPath(dep.dir, "Cargo.toml");
    if (files.read(manifestPath) === void 0) throw inputError(`${where} holds no Cargo.toml (${at(manifestPath)}). Fix the path.`);
    const own = readManifest(files, manifestPath, at);
    const ownWorkspace = isTable2(own.workspace) ? own.workspace : void 0;
    const member = workspace !== void 0 && fromMember && !ownWorkspace && !isExcluded(dep.dir, excludes);
    known.add(dep.dir);
    const inheritFrom = member ? table(workspace?.package) : table(ownWorkspace?.package);
    const pkg = readPackage(files, dep.dir, inheritFrom, at, own);
    (member ? found.members : found.local).push(pkg);
    (member ? memberQueue : localQueue).push({ pkg, member, dependencies: member ? rootDependencies : table(ownWorkspace?.dependencies) });
  };
  const drain = (queue) => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      for (const dep of pathDependencies(next.pkg.manifest, next.pkg.dir, next.dependencies)) {
        visit(dep, `${at(next.pkg.manifestPath)}: the path "${dep.raw}" of dependency "${dep.name}"`, next.member);
      }
    }
  };
  drain(memberQueue);
  for (const patch of patchPaths(manifest))
    visit(patch, `${at("Cargo.toml")}: the path "${patch.raw}" of ${patch.table} "${patch.name}"`, false);
  drain(localQueue);
  return found;
}
function readLockfile(files, at) {
  const text = files.read("Cargo.lock");
  if (text === void 0) return void 0;
  const manifest = parseToml(text, at("Cargo.lock"));
  const entries = Array.isArray(manifest.package) ? manifest.package.filter(isTable2) : [];
  const packages = entries.map((p) => ({
    name: String(p.name),
    version: String(p.version),
    ...typeof p.source === "string" ? { source: p.source } : {},
    ...typeof p.checksum === "string" ? { checksum: p.checksum } : {},
    dependencies: Array.isArray(p.dependencies) ? p.dependencies.filter((d) => typeof d === "string") : []
  }));
  return { path: "Cargo.lock", version: typeof manifest.version === "number" ? manifest.version : 1, packages, manifest };
}
function toolchainChannel(file, channel, where) {
  const value = typed.string(channel, where, "toolchain.channel");
  if (value === void 0) return void 0;
  if (!parseToolchainChannel(value)) {
    throw inputError(
      `${where}: toolchain channel "${value}" is not one rustup knows: use stable, beta, nightly, nightly-YYYY-MM-DD, 1.79 or 1.79.0 (optionally followed by a host triple).`
    );
  }
  return { file, channel: value };
}
function readToolchain(files, at) {
  const toml = files.read("rust-toolchain.toml");
  if (toml !== void 0) {
    const where2 = at("rust-toolchain.toml");
    return toolchainChannel("rust-toolchain.toml", typed.table(parseToml(toml, where2).toolchain, where2, "toolchain")?.channel, where2);
  }
  const legacy = files.read("rust-toolchain");
  if (legacy === void 0) return void 0;
  const where = at("rust-toolchain");
  const trimmed = legacy.replace(/^\uFEFF/, "").trim();
  if (trimmed.includes("[toolchain]")) {
    return toolchainChannel("rust-toolchain", typed.table(parseToml(legacy, where).toolchain, where, "toolchain")?.channel, where);
  }
  return trimmed ? toolchainChannel("rust-toolchain", trimmed, where) : void 0;
}
function readWorkspace(files, root) {
  const at = (path) => root === "." ? path : `${root}/${path}`;
  if (files.read("Cargo.toml") === void 0) {
    throw inputError(
      `no Cargo.toml in ${root}. Run crossbake in a Cargo workspace, or point --workspace at the directory that holds its Cargo.toml.`
    );
  }
  const manifest = readManifest(files, "Cargo.toml", at);
  const workspace = isTable2(manifest.workspace) ? manifest.workspace : void 0;
  if (workspace === void 0 && !isTable2(manifest.package)) {
    throw inputError(`${at("Cargo.toml")} has neither [workspace] nor [package]. Point --workspace at a Cargo workspace.`);
  }
  const workspacePackage = table(workspace?.package);
  const members = [];
  if (isTable2(manifest.package)) members.push(readPackage(files, ".", workspacePackage, at, manifest));
  if (workspace) {
    for (const dir of memberDirectories(files, workspace, at)) {
      if (dir === ".") continue;
      members.push(readPackage(files, dir, workspacePackage, at));
    }
  }
  const found = pathPackages(files, members, manifest, workspace, at);
  members.push(...found.members);
  const seenPackages = /* @__PURE__ */ new Map();
  for (const p of members) {
    const other = seenPackages.get(p.name);
    if (other) {
      throw inputError(`two workspace members are named "${p.name}": ${at(other.manifestPath)} and ${at(p.manifestPath)}. Rename one.`);
    }
    seenPackages.set(p.name, p);
  }
  const bins = members.flatMap((p) => p.bins).sort((a, b) => a.package.localeCompare(b.package) || a.name.localeCompare(b.name));
  const seenBins = /* @__PURE__ */ new Map();
  for (const bin of bins) {
    const other = seenBins.get(bin.name);
    if (other !== void 0) {
      throw inputError(
        `binary "${bin.name}" is defined by two packages, "${other}" and "${bin.package}": an image is named after its binary, so the names must differ. Rename one [[bin]].`
      );
    }
    seenBins.set(bin.name, bin.package);
  }
  let defaultMembers = members.map((m) => m.name);
  if (workspace && Array.isArray(workspace["default-members"])) {
    const dirs = typed.strings(workspace["default-members"], at("Cargo.toml"), "workspace.default-members").flatMap((p) => isGlob(p) ? globDirectories(files, p) : [joinPath(p)]);
    defaultMembers = members.filter((m) => dirs.includes(m.dir)).map((m) => m.name);
  } else if (isTable2(manifest.package) && workspace) {
    defaultMembers = [members[0].name];
  }
  const rustVersions = [workspacePackage["rust-version"], ...members.map((m) => table(m.manifest.package)["rust-version"])].filter((v) => typeof v === "string").sort(compareRustVersions);
  for (const v of rustVersions) {
    if (rustVersion(v))
      throw inputError(
        `rust-version "${v}" in ${at("Cargo.toml")} or a member's manifest is not a Rust version; write it as 1.79 or 1.79.0.`
      );
  }
  const highest = rustVersions[rustVersions.length - 1];
  const lockfile = readLockfile(files, at);
  const toolchain = readToolchain(files, at);
  return {
    root,
    manifestPath: "Cargo.toml",
    members: [...members].sort((a, b) => a.name.localeCompare(b.name)),
    localPackages: [...found.local].sort((a, b) => a.dir.localeCompare(b.dir)),
    defaultMembers: [...defaultMembers].sort(),
    bins,
    ...lockfile ? { lockfile } : {},
    ...toolchain ? { toolchain } : {},
    ...highest ? { rustVersion: highest } : {},
    crossbakeMetadata: table(workspace?.metadata).crossbake,
    manifest
  };
}

// src/workspace/skeleton.ts
var MASKED_VERSION = "0.0.0";
var DESCRIPTIVE_FIELDS = [
  "description",
  "authors",
  "license",
  "license-file",
  "readme",
  "homepage",
  "repository",
  "documentation",
  "keywords",
  "categories",
  "publish",
  "include",
  "exclude",
  "metadata"
];
var DEPENDENCY_TABLES = ["dependencies", "dev-dependencies", "build-dependencies"];
function maskManifest(manifest) {
  const copy = structuredClone(manifest);
  const pkg = copy.package;
  if (isTable2(pkg)) {
    if (typeof pkg.version === "string") pkg.version = MASKED_VERSION;
    for (const field of DESCRIPTIVE_FIELDS) delete pkg[field];
  }
  const ws = copy.workspace;
  if (isTable2(ws)) {
    delete ws.metadata;
    if (isTable2(ws.package)) {
      if (typeof ws.package.version === "string") ws.package.version = MASKED_VERSION;
      for (const field of DESCRIPTIVE_FIELDS) delete ws.package[field];
    }
    if (isTable2(ws.dependencies)) dropPathVersions(ws.dependencies);
  }
  for (const key of DEPENDENCY_TABLES) if (isTable2(copy[key])) dropPathVersions(copy[key]);
  if (isTable2(copy.target)) {
    for (const platformTable of Object.values(copy.target)) {
      if (!isTable2(platformTable)) continue;
      for (const key of DEPENDENCY_TABLES) if (isTable2(platformTable[key])) dropPathVersions(platformTable[key]);
    }
  }
  return copy;
}
function dropPathVersions(deps) {
  for (const dep of Object.values(deps)) {
    if (isTable2(dep) && typeof dep.path === "string") delete dep.version;
  }
}
function maskLockfile(lock, local) {
  const copy = structuredClone(lock);
  if (Array.isArray(copy.package)) {
    for (const entry of copy.package) {
      if (!isTable2(entry) || entry.source !== void 0 || !local.has(String(entry.name))) continue;
      entry.version = MASKED_VERSION;
    }
  }
  return copy;
}
function stub(kind) {
  return kind === "lib" ? "" : "fn main() {}\n";
}
function dependencySkeleton(ws) {
  const files = [];
  const rootIsPackage = ws.members.some((m) => m.dir === ".");
  if (!rootIsPackage) files.push({ path: "Cargo.toml", content: stringifyToml(maskManifest(ws.manifest)) });
  const packages = [...ws.members, ...ws.localPackages];
  const local = new Set(packages.map((m) => m.name));
  for (const pkg of packages) files.push(...memberFiles(pkg));
  if (ws.lockfile) {
    const header = "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\n";
    files.push({ path: "Cargo.lock", content: header + stringifyToml(maskLockfile(ws.lockfile.manifest, local)) });
  }
  const seen = /* @__PURE__ */ new Set();
  return files.filter((f) => !seen.has(f.path) && Boolean(seen.add(f.path))).sort((a, b) => a.path.localeCompare(b.path));
}
function memberFiles(member) {
  const manifest = { path: member.manifestPath, content: stringifyToml(maskManifest(member.manifest)) };
  const stubs = member.targetFiles.map((t) => ({ path: joinPath(t.path), content: stub(t.kind) }));
  return [manifest, ...stubs];
}

// src/skeleton-main.ts
var USAGE = "usage: skeleton.mjs <workspace> <out-dir> [--debian-crates <file>] [--native <dir>] [--sbom <dir>] [--layout <file>]";
var FLAGS = { "--debian-crates": "crates", "--native": "native", "--sbom": "sbom", "--layout": "layout" };
function parse(argv) {
  const [workspace, out, ...rest] = argv;
  if (!workspace || !out || rest.length % 2 !== 0) throw new CrossbakeError("input", USAGE);
  const args = { workspace, out };
  for (let i = 0; i < rest.length; i += 2) {
    const key = FLAGS[rest[i]];
    if (!key || args[key] !== void 0 || !rest[i + 1]) throw new CrossbakeError("input", USAGE);
    args[key] = rest[i + 1];
  }
  return args;
}
function write(path, content) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
function recordedFiles(file, disk) {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync2(file, "utf8"));
    if (!Array.isArray(recorded.read) || typeof recorded.layout?.lists !== "object") throw new Error("not a layout");
  } catch {
    throw new CrossbakeError(
      "input",
      `${file} is not the layout crossbake recorded (missing, edited or broken); run \`crossbake generate\` to write it again.`
    );
  }
  return layoutFiles(recorded.layout, recorded.read, (path) => disk.read(path));
}
function main(argv) {
  const args = parse(argv);
  mkdirSync(args.out, { recursive: true });
  const disk = diskFiles(args.workspace, ".");
  const ws = readWorkspace(args.layout ? recordedFiles(args.layout, disk) : disk, ".");
  for (const file of dependencySkeleton(ws)) {
    if (file.path.startsWith("../") || file.path === "..") {
      throw new CrossbakeError("input", `${file.path} is outside the workspace; the skeleton holds only files inside it.`);
    }
    write(join2(args.out, file.path), file.content);
  }
  if (args.crates) {
    const packages = debianCratePackages(ws.lockfile);
    writeFileSync(args.crates, packages.map((p) => `${p}
`).join(""));
  }
  if (args.native) {
    mkdirSync(args.native, { recursive: true });
    for (const file of nativeFiles(ws.lockfile?.packages ?? [], PLATFORMS)) writeFileSync(join2(args.native, file.path), file.content);
  }
  if (args.sbom) {
    mkdirSync(args.sbom, { recursive: true });
    for (const bin of ws.bins) write(join2(args.sbom, bin.name, "Cargo.lock"), binaryLock(ws, bin));
  }
}
try {
  main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof CrossbakeError)) throw error;
  process.stderr.write(`${formatError(error)}
`);
  process.exitCode = error.exitCode;
}
