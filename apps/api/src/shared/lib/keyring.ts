// The server's encryption keyring: the first key encrypts, every key decrypts (rotation keeps old keys readable).

export interface Keyring {
  currentKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses `id:base64key[,id:base64key…]`; each key must decode to exactly 32 bytes (AES-256). */
export function parseKeyring(value: string): Keyring {
  const entries = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('expected id:base64-32-byte-key[,id:base64-32-byte-key…]');
  const keys = new Map<string, Buffer>();
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon);
    if (colon < 1 || !KEY_ID.test(id)) {
      throw new Error('expected each key as id:base64 with an id of letters, digits, _ or - (at most 32)');
    }
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new Error(`key "${id}" must be 32 random bytes in base64 (got ${key.length} bytes)`);
    if (keys.has(id)) throw new Error(`key id "${id}" appears twice`);
    keys.set(id, key);
  }
  return { currentKeyId: entries[0]?.slice(0, entries[0].indexOf(':')) as string, keys };
}
