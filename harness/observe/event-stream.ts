/**
 * A parser of text/event-stream, the server-sent-events format, as the HTML standard specifies
 * it ("9.2.6 Interpreting an event stream"): lines end in CRLF, LF or CR; a line starting with
 * ":" is a comment; "field: value" lines set `event`, append to `data` (joined with LF), set
 * `id` (unless it holds NULL) or `retry`; an empty line dispatches the event, unless its data is
 * empty; an unfinished event at the end of the stream is dropped. Pure: feed it decoded text in
 * chunks of any size and it returns what each chunk completed.
 */

export interface StreamEvent {
  kind: 'event';
  /** `event:`, or "message". */
  type: string;
  data: string;
  /** The last event ID at dispatch (it persists across events, as the standard says). */
  lastEventId: string;
}

export interface StreamComment {
  kind: 'comment';
  text: string;
}

export type StreamItem = StreamEvent | StreamComment;

export class EventStreamParser {
  private buffer = '';
  /** A CR ended the previous chunk: an LF opening the next one belongs to it. */
  private afterCr = false;
  private type = '';
  private data = '';
  private lastEventId = '';
  private first = true;
  /** The reconnection time a `retry:` field set, in milliseconds. */
  retry: number | null = null;

  push(chunk: string): StreamItem[] {
    let text = chunk;
    if (this.first && text.length > 0) {
      // One leading U+FEFF (a byte order mark) is skipped.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.first = false;
    }
    if (this.afterCr && text.startsWith('\n')) text = text.slice(1);
    this.afterCr = false;
    const out: StreamItem[] = [];
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer.slice(start, i), out);
      if (c === 13) {
        if (i + 1 < this.buffer.length) {
          if (this.buffer.charCodeAt(i + 1) === 10) i++;
        } else this.afterCr = true;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  private line(line: string, out: StreamItem[]): void {
    if (line === '') {
      this.dispatch(out);
      return;
    }
    if (line.startsWith(':')) {
      out.push({ kind: 'comment', text: line.slice(1).replace(/^ /, '') });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    switch (field) {
      case 'event':
        this.type = value;
        break;
      case 'data':
        this.data += `${value}\n`;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
      // Other fields are ignored.
    }
  }

  private dispatch(out: StreamItem[]): void {
    if (this.data === '') {
      this.type = '';
      return;
    }
    out.push({
      kind: 'event',
      type: this.type === '' ? 'message' : this.type,
      data: this.data.endsWith('\n') ? this.data.slice(0, -1) : this.data,
      lastEventId: this.lastEventId,
    });
    this.type = '';
    this.data = '';
  }
}
