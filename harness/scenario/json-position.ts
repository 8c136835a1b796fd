/**
 * Where a text stops being JSON (RFC 8259), for error messages: V8's JSON.parse names the
 * position for some mistakes ("... at position 38") and not for others ("Unexpected token 'N',
 * ..."). Pure; a recogniser only, run after JSON.parse has failed.
 *
 *   value  := ws ( object | array | string | number | "true" | "false" | "null" ) ws
 *   object := "{" ws ( string ws ":" value ( "," ws string ws ":" value )* )? "}"
 *   array  := "[" ws ( value ( "," value )* )? "]"
 *
 * Returns the offset of the first character that cannot continue a JSON text (the text's
 * length when it ends too early), or -1 when the whole text is JSON.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const literal = (word: string): void => {
    for (const c of word) {
      if (text[i] !== c) fail();
      i++;
    }
  };
  const string = (): void => {
    if (text[i] !== '"') fail();
    i++;
    for (;;) {
      if (i >= text.length) fail();
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      if (c === 0x5c) {
        i++;
        const e = text[i];
        if (e === 'u') {
          i++;
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
            i++;
          }
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
  };
  const digits = (): void => {
    if (!/[0-9]/.test(text[i] ?? '')) fail();
    while (/[0-9]/.test(text[i] ?? '')) i++;
  };
  const number = (): void => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const value = (depth: number): void => {
    // Deeper than any scenario: stop before the recogniser's own stack could run out.
    if (depth > 1000) fail();
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') i++;
      else
        for (;;) {
          ws();
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
          value(depth + 1);
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] !== '}') fail();
          i++;
          break;
        }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') i++;
      else
        for (;;) {
          value(depth + 1);
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] !== ']') fail();
          i++;
          break;
        }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || /[0-9]/.test(c ?? '')) number();
    else fail();
    ws();
  };
  try {
    value(0);
    return i === text.length ? -1 : i;
  } catch (error) {
    if (error instanceof Stop) return error.offset;
    throw error;
  }
}

class Stop {
  readonly offset: number;
  constructor(offset: number) {
    this.offset = offset;
  }
}

/** 1-based line and column of an offset, counting lines by "\n". */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
