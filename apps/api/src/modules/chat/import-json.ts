// The items of one JSON array inside a document that arrives in pieces: the top-level array (a ChatGPT
// conversations.json) or the array under a top-level key (a Parley export's "chats"). Only one item is held at a time
// (parsed with JSON.parse once it is complete), so a file of hundreds of MB never sits in memory whole.

import { TextDecoder } from 'node:util';

export class ImportFormatError extends Error {
  override name = 'ImportFormatError';
}

export class ImportTooLargeError extends Error {
  override name = 'ImportTooLargeError';
}

export interface ArrayItemsOptions {
  /** null: the document is the array; a key: the array is this key's value in the top-level object. */
  key: string | null;
  /** The whole document may be at most this many bytes. */
  maxBytes: number;
  /** One item (a conversation) may be at most this many characters. */
  maxItemChars: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Reads the document's characters one piece at a time, keeping only what the item being read needs. */
class Scanner {
  /** Open containers, innermost last: '{' or '['. */
  readonly stack: string[] = [];
  inString = false;
  escaped = false;
  /** In the top-level object, the last key read (only while keys are being read at that level). */
  key = '';
  readingKey = false;
  /** The depth at which items sit, once the array is open; -1 before, -2 after it closed. */
  itemDepth = -1;
  /** The text of the item being read, from the pieces before the current one. */
  item = '';
  capturing = false;
  /** Where the item starts in the current piece. */
  start = 0;
  readonly options: ArrayItemsOptions;

  constructor(options: ArrayItemsOptions) {
    this.options = options;
  }

  /** The items completed in this piece. */
  feed(text: string): unknown[] {
    const items: unknown[] = [];
    this.start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) this.stringChar(c, text, i);
      else if (!isSpace(c)) {
        const item = this.structural(c, text, i);
        if (item !== undefined) items.push(item);
      }
    }
    if (this.capturing) {
      this.item += text.slice(this.start);
      this.checkItemSize(0);
    }
    return items;
  }

  stringChar(c: number, text: string, i: number) {
    if (this.escaped) this.escaped = false;
    else if (c === BACKSLASH) this.escaped = true;
    else if (c === QUOTE) this.inString = false;
    else if (this.readingKey && this.key.length < 64) this.key += text[i];
  }

  /** A character outside strings; returns a completed item. */
  structural(c: number, text: string, i: number): unknown {
    this.maybeStartItem(c, i);
    let item: unknown;
    if (c === QUOTE) this.openString();
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) this.open(c === OPEN_OBJECT ? '{' : '[');
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) item = this.close(c === CLOSE_OBJECT ? '{' : '[', text, i);
    else if ((c === COLON || c === COMMA) && this.stack.length === 1 && this.stack[0] === '{') {
      this.readingKey = c === COMMA;
    }
    if (this.capturing) this.checkItemSize(i - this.start);
    return item;
  }

  maybeStartItem(c: number, i: number) {
    if (this.itemDepth < 0 || this.stack.length !== this.itemDepth || this.capturing) return;
    if (c === COMMA || c === CLOSE_ARRAY) return;
    if (c !== OPEN_OBJECT) throw new ImportFormatError('expected each item of the array to be an object');
    this.capturing = true;
    this.item = '';
    this.start = i;
  }

  openString() {
    this.inString = true;
    if (this.readingKey) this.key = '';
  }

  open(kind: '{' | '[') {
    const depth = this.stack.length;
    const { key } = this.options;
    if (depth === 0 && key === null && kind !== '[')
      throw new ImportFormatError('expected a JSON array of conversations');
    if (depth === 0 && key !== null && kind !== '{')
      throw new ImportFormatError('expected a JSON object (a Parley export)');
    this.stack.push(kind);
    if (depth === 0 && kind === '{') this.readingKey = true;
    if (this.itemDepth !== -1 || kind !== '[') return;
    if (key === null && depth === 0) this.itemDepth = 1;
    else if (key !== null && depth === 1 && this.key === key) this.itemDepth = 2;
  }

  close(kind: '{' | '[', text: string, i: number): unknown {
    if (this.stack.pop() !== kind) throw new ImportFormatError('the JSON is malformed (a bracket does not match)');
    if (this.capturing && this.stack.length === this.itemDepth) {
      const json = this.item + text.slice(this.start, i + 1);
      this.capturing = false;
      this.item = '';
      return parseItem(json);
    }
    // The array closed: anything after it is read but not collected.
    if (this.itemDepth >= 0 && this.stack.length === this.itemDepth - 1) this.itemDepth = -2;
    return undefined;
  }

  checkItemSize(inPiece: number) {
    if (this.item.length + inPiece > this.options.maxItemChars) {
      throw new ImportTooLargeError(`a conversation is larger than ${this.options.maxItemChars} characters`);
    }
  }
}

/** Parsed items of the array, in order. Throws ImportFormatError on malformed JSON and ImportTooLargeError. */
export async function* jsonArrayItems(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: ArrayItemsOptions,
) {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const scanner = new Scanner(options);
  let bytes = 0;
  for await (const piece of source) {
    bytes += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.byteLength;
    if (bytes > options.maxBytes) throw new ImportTooLargeError(`the file is larger than ${options.maxBytes} bytes`);
    yield* scanner.feed(decode(decoder, piece));
  }
  if (scanner.stack.length > 0 || scanner.itemDepth === -1) {
    throw new ImportFormatError(
      options.key ? `the file ends before its "${options.key}" array is complete` : 'the file ends too early',
    );
  }
}

function decode(decoder: TextDecoder, piece: Uint8Array | string): string {
  if (typeof piece === 'string') return piece;
  try {
    return decoder.decode(piece, { stream: true });
  } catch {
    throw new ImportFormatError('the file is not UTF-8 text');
  }
}

function parseItem(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new ImportFormatError(`an item of the array is not valid JSON (${(error as Error).message.slice(0, 120)})`);
  }
}
