/**
 * What JSON.parse accepts in silence but a scenario's author did not mean (issue 17's adversary's
 * day): a key given twice in one object (JSON.parse keeps the last, so `"users": 200, ...,
 * "users": 2` ran 2 users without a word), and a number too large for a double (`1e400` becomes
 * Infinity, which the validator then reported as "got null"). Pure; run on text JSON.parse has
 * already accepted, whose nesting read-scenario-file.ts has bounded, so the recursion is shallow.
 *
 *   value  := ws ( object | array | string | number | literal ) ws
 *   object := "{" ( string ":" value ( "," string ":" value )* )? "}"
 *   array  := "[" ( value ( "," value )* )? "]"
 */

export interface JsonAmbiguity {
  /** Where it is, as the validator names fields: `load.users`, `topologies[0].name`. */
  path: string;
  /** Offset in the text of the second key, or of the number. */
  offset: number;
  problem: 'duplicate-key' | 'number-overflow';
  /** The key, or the number as written. */
  text: string;
}

const joinPath = (parent: string, key: string): string =>
  /^[A-Za-z_$][\w$]*$/.test(key)
    ? parent === ''
      ? key
      : `${parent}.${key}`
    : `${parent}[${JSON.stringify(key)}]`;

export function jsonAmbiguities(text: string): JsonAmbiguity[] {
  const found: JsonAmbiguity[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const string = (): string => {
    const start = i;
    i++; // the opening quote
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const keys = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const at = i;
        const key = string();
        const child = joinPath(path, key);
        if (keys.has(key))
          found.push({ path: child, offset: at, problem: 'duplicate-key', text: key });
        keys.add(key);
        ws();
        i++; // ':'
        value(child);
        ws();
        if (text[i++] === '}') return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let index = 0; ; index++) {
        value(`${path}[${index}]`);
        ws();
        if (text[i++] === ']') return;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const start = i;
    while (i < text.length && /[-+0-9.eEa-z]/.test(text[i] as string)) i++;
    const token = text.slice(start, i);
    if (/^-?\d/.test(token) && !Number.isFinite(Number(token)))
      found.push({
        path: path === '' ? '(top level)' : path,
        offset: start,
        problem: 'number-overflow',
        text: token,
      });
  };
  value('');
  return found;
}
