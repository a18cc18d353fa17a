// One network's keys, in the SQLite database of one Durable Object.
//
// Why this is linearizable: Cloudflare runs one instance of an object at a time and delivers its
// calls one after another; each method below reads and writes inside one synchronous
// transactionSync() with no await in between, so no other call can see or interleave with a half
// done conditional write, and a failed write rolls back whole.
//
// Versions come from one counter per object that only grows, so a key deleted and created again
// never gets a version it had before, and a stale compare-and-set cannot match it.
//
// Each write carries a writeId chosen by the client. A successful write is remembered by that id
// for WRITE_MEMORY_MS: a client whose connection broke after sending re-sends the same request,
// and gets the first outcome again instead of a false conflict with its own write (or a second
// increment). A write that failed its condition is not remembered: evaluating it again later is
// just a later, equally valid, attempt.
//
// Expired entries are never returned: every query filters on expires_at. They are deleted by each
// write and by an alarm that runs at most once per PURGE_INTERVAL_MS while entries with a
// time-to-live exist (each alarm costs a Durable Object request, so it is not set per entry).

import { DurableObject } from "cloudflare:workers";

export const LIMITS = Object.freeze({
  maxKeyBytes: 512,
  maxValueBytes: 1024 * 1024, // SQLite rows in Durable Objects are limited to 2 MB
  maxBodyBytes: 1536 * 1024, // a full value in base64 plus the JSON around it
  minTtlMs: 1000,
  maxTtlMs: 10 * 366 * 24 * 3600 * 1000,
  pageSize: 1000,
});

const WRITE_MEMORY_MS = 10 * 60 * 1000;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export class StoreError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function checkKey(key) {
  if (typeof key !== "string" || key.length === 0) {
    throw new StoreError(400, "bad_key", "the key must be a non-empty string");
  }
  checkText(key, "key");
}

export function checkPrefix(prefix) {
  if (typeof prefix !== "string") {
    throw new StoreError(400, "bad_prefix", "the prefix must be a string (\"\" lists everything)");
  }
  checkText(prefix, "prefix");
}

function checkText(s, what) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      throw new StoreError(400, "bad_" + what, `the ${what} contains a control character at index ${i}`);
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const pair = c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
      if (!pair) {
        throw new StoreError(400, "bad_" + what, `the ${what} is not valid Unicode at index ${i}`);
      }
      i++;
    }
  }
  const bytes = new TextEncoder().encode(s).length;
  if (bytes > LIMITS.maxKeyBytes) {
    throw new StoreError(400, "key_too_long", `the ${what} is ${bytes} bytes; this store accepts at most ${LIMITS.maxKeyBytes}`);
  }
}

// The smallest string greater than every string starting with prefix, in code point order (which
// is SQLite's byte order for UTF-8 text), or null when there is none.
function prefixEnd(prefix) {
  const points = Array.from(prefix, (ch) => ch.codePointAt(0));
  while (points.length > 0) {
    let last = points.pop() + 1;
    if (last === 0xd800) {
      last = 0xe000; // surrogates are not characters
    }
    if (last <= 0x10ffff) {
      points.push(last);
      return String.fromCodePoint(...points);
    }
  }
  return null;
}

function toBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function fromBase64(text) {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    out[i] = s.charCodeAt(i);
  }
  return out.buffer;
}

export class MeshStore extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS entries (
        key TEXT PRIMARY KEY, value BLOB NOT NULL, version INTEGER NOT NULL, expires_at INTEGER);
      CREATE INDEX IF NOT EXISTS entries_expiry ON entries(expires_at) WHERE expires_at IS NOT NULL;
      CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), last_version INTEGER NOT NULL);
      INSERT OR IGNORE INTO counter (id, last_version) VALUES (1, 0);
      CREATE TABLE IF NOT EXISTS writes (write_id TEXT PRIMARY KEY, outcome TEXT NOT NULL, at INTEGER NOT NULL);
    `);
    this.alarmAt = undefined; // unknown until first needed
  }

  read(key) {
    const row = this.#live(key, Date.now());
    return { entry: row ? this.#entryOf(row, true) : null };
  }

  putIfAbsent(key, value, ttlMs, writeId) {
    return this.#write(writeId, ttlMs, (now) => {
      if (this.#live(key, now)) {
        return { entry: null, conflict: true };
      }
      return { entry: this.#store(key, value, ttlMs, now) };
    });
  }

  compareAndSet(key, expectedVersion, value, ttlMs, writeId) {
    return this.#write(writeId, ttlMs, (now) => {
      const row = this.#live(key, now);
      if (!row || row.version !== expectedVersion) {
        return { entry: null, conflict: true };
      }
      return { entry: this.#store(key, value, ttlMs, now) };
    });
  }

  remove(key, expectedVersion, writeId) {
    return this.#write(writeId, null, (now) => {
      const row = this.#live(key, now);
      if (!row || row.version !== expectedVersion) {
        return { deleted: false };
      }
      this.sql.exec("DELETE FROM entries WHERE key = ?", key);
      return { deleted: true };
    });
  }

  list(prefix, after, limit) {
    const now = Date.now();
    const end = prefixEnd(prefix);
    const from = after !== null && after >= prefix ? after : null;
    let query = "SELECT key, version, expires_at FROM entries WHERE (expires_at IS NULL OR expires_at > ?)";
    const args = [now];
    if (from !== null) {
      query += " AND key > ?";
      args.push(from);
    } else if (prefix.length > 0) {
      query += " AND key >= ?";
      args.push(prefix);
    }
    if (end !== null) {
      query += " AND key < ?";
      args.push(end);
    }
    query += " ORDER BY key LIMIT ?";
    args.push(limit);
    const rows = this.sql.exec(query, ...args).toArray();
    return {
      keys: rows.map((r) => this.#entryOf(r, false)),
      cursor: rows.length === limit ? rows[rows.length - 1].key : null,
    };
  }

  async alarm() {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => this.#purge(now));
    this.alarmAt = null;
    await this.#scheduleAlarm(now);
  }

  // ---- internals: private, so the object's RPC surface is the five operations above

  // Runs a conditional write once per writeId, atomically, then makes sure expired entries will
  // be purged even if no more requests come.
  async #write(writeId, ttlMs, body) {
    const now = Date.now();
    const outcome = this.ctx.storage.transactionSync(() => {
      const seen = this.sql.exec("SELECT outcome FROM writes WHERE write_id = ?", writeId).toArray();
      if (seen.length > 0) {
        return JSON.parse(seen[0].outcome);
      }
      this.#purge(now);
      const result = body(now);
      if (result.entry || result.deleted) {
        this.sql.exec("INSERT INTO writes (write_id, outcome, at) VALUES (?, ?, ?)", writeId,
          JSON.stringify(result), now);
      }
      return result;
    });
    if (ttlMs !== null) {
      await this.#scheduleAlarm(now);
    }
    return outcome;
  }

  #live(key, now) {
    const rows = this.sql.exec(
      "SELECT key, value, version, expires_at FROM entries WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)",
      key, now).toArray();
    return rows.length > 0 ? rows[0] : null;
  }

  #store(key, value, ttlMs, now) {
    const version = this.sql.exec(
      "UPDATE counter SET last_version = last_version + 1 WHERE id = 1 RETURNING last_version").one().last_version;
    const expiresAt = ttlMs === null ? null : now + ttlMs;
    this.sql.exec("INSERT OR REPLACE INTO entries (key, value, version, expires_at) VALUES (?, ?, ?, ?)",
      key, fromBase64(value), version, expiresAt);
    return { key, version, expiresAt };
  }

  #purge(now) {
    this.sql.exec("DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?", now);
    this.sql.exec("DELETE FROM writes WHERE at <= ?", now - WRITE_MEMORY_MS);
  }

  async #scheduleAlarm(now) {
    if (this.alarmAt === undefined) {
      this.alarmAt = await this.ctx.storage.getAlarm();
    }
    if (this.alarmAt !== null) {
      return;
    }
    const next = this.sql.exec(
      "SELECT MIN(expires_at) AS at FROM entries WHERE expires_at IS NOT NULL").one().at;
    const writes = this.sql.exec("SELECT MIN(at) AS at FROM writes").one().at;
    const due = [next, writes === null ? null : writes + WRITE_MEMORY_MS].filter((t) => t !== null);
    if (due.length === 0) {
      return;
    }
    const at = Math.max(Math.min(...due), now + PURGE_INTERVAL_MS);
    await this.ctx.storage.setAlarm(at);
    this.alarmAt = at;
  }

  #entryOf(row, withValue) {
    const out = { key: row.key, version: row.version, expiresAt: row.expires_at === null ? null : row.expires_at };
    if (withValue) {
      out.value = toBase64(row.value);
    }
    return out;
  }
}
