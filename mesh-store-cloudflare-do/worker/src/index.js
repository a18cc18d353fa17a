// The meshjoin store Worker: authenticates each request, checks its input, and hands it to the
// Durable Object of its network. The object does the work (see store.js); this file never
// touches storage, so a refused request costs no Durable Object request.
//
// API (every call a POST with a JSON body, every answer JSON):
//   {BASE}/v1/{object}/get              {key}
//   {BASE}/v1/{object}/put-if-absent    {key, value, ttlMs?, writeId}
//   {BASE}/v1/{object}/compare-and-set  {key, expectedVersion, value, ttlMs?, writeId}
//   {BASE}/v1/{object}/delete           {key, expectedVersion, writeId}
//   {BASE}/v1/{object}/list             {prefix, after?, limit?}
//   GET {BASE}/v1/health                (no token; says only that this is the store)
// Two bearer tokens: MESH_STORE_TOKEN may do everything (lighthouses, operators); the optional
// MESH_STORE_READ_TOKEN may only get and list (members, which write nothing after their join):
// a write with it is refused with 403 read_only before the Durable Object is asked.
// {BASE} is any path the Worker is routed under (empty on workers.dev). {object} names the
// Durable Object: the Java adapter sends the keys mesh/<network>/... to the object <network>, so
// each network has its own object, its own SQLite database and its own serialised queue.
// Values travel as base64; versions and expiry instants (epoch milliseconds) as numbers.

import { MeshStore, LIMITS, checkKey, checkPrefix, StoreError } from "./store.js";

export { MeshStore };

const OBJECT_NAME = /^[A-Za-z0-9._-]{1,128}$/;
const WRITE_ID = /^[A-Za-z0-9_-]{16,64}$/;
const OPERATIONS = new Set(["get", "put-if-absent", "compare-and-set", "delete", "list"]);
const READS = new Set(["get", "list"]);
const MIN_TOKEN_CHARS = 16;

export default {
  async fetch(request, env) {
    try {
      return await handle(request, env);
    } catch (e) {
      if (e instanceof StoreError) {
        return error(e.status, e.code, e.message);
      }
      if (e && (e.retryable || e.overloaded)) {
        // The Durable Object was overloaded, reset or moved: the write did not commit, or it did
        // and a re-send with the same writeId gets its outcome. Either way, trying again is safe.
        return error(503, "unavailable", "the network's Durable Object is unavailable for a moment; retry");
      }
      // Never echo internals (or request contents) to the caller.
      console.error("meshjoin store: unexpected failure", e && e.stack ? e.stack : e);
      return error(500, "internal", "the store Worker failed unexpectedly; see its logs (wrangler tail)");
    }
  },
};

async function handle(request, env) {
  const url = new URL(request.url);
  const parts = url.pathname.split("/").filter((p) => p.length > 0);
  const v1 = parts.lastIndexOf("v1");
  if (v1 < 0) {
    return error(404, "not_found", "this is the meshjoin store Worker; its API is under /v1/");
  }
  const rest = parts.slice(v1 + 1);
  if (rest.length === 1 && rest[0] === "health" && request.method === "GET") {
    return json(200, { service: "meshjoin-store", api: 1 });
  }
  if (rest.length !== 2 || !OPERATIONS.has(rest[1])) {
    return error(404, "not_found", "unknown path; use POST /v1/<object>/{get,put-if-absent,compare-and-set,delete,list}");
  }
  if (request.method !== "POST") {
    return error(405, "method_not_allowed", "use POST");
  }
  const access = await authenticate(request, env);
  if (access.refused) {
    return access.refused;
  }
  if (access.readOnly && !READS.has(rest[1])) {
    return error(403, "read_only", "this token may only read (get, list): it is MESH_STORE_READ_TOKEN, a member's"
      + " token; writes need MESH_STORE_TOKEN, which lighthouses and operators hold");
  }
  const object = decodeURIComponent(rest[0]);
  if (!OBJECT_NAME.test(object)) {
    throw new StoreError(400, "bad_object", "the object name must be 1 to 128 of A-Z, a-z, 0-9, '.', '_' and '-'");
  }
  const body = await readBody(request);
  const op = rest[1];
  const stub = env.MESH_STORE.get(env.MESH_STORE.idFromName(object));
  switch (op) {
    case "get":
      checkKey(body.key);
      return json(200, await stub.read(body.key));
    case "put-if-absent":
      checkWrite(body);
      return json(200, await stub.putIfAbsent(body.key, body.value, ttlOf(body), body.writeId));
    case "compare-and-set":
      checkWrite(body);
      return json(200, await stub.compareAndSet(body.key, versionOf(body), body.value, ttlOf(body), body.writeId));
    case "delete":
      checkKey(body.key);
      checkWriteId(body.writeId);
      return json(200, await stub.remove(body.key, versionOf(body), body.writeId));
    case "list": {
      checkPrefix(body.prefix);
      const after = body.after === undefined || body.after === null ? null : body.after;
      if (after !== null) {
        checkKey(after);
      }
      const limit = body.limit === undefined ? LIMITS.pageSize : body.limit;
      if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.pageSize) {
        throw new StoreError(400, "bad_limit", `limit must be an integer from 1 to ${LIMITS.pageSize}`);
      }
      return json(200, await stub.list(body.prefix, after, limit));
    }
  }
  return error(404, "not_found", "unknown operation");
}

// Compares the bearer token with the secrets in constant time: all are hashed first, so neither
// their contents nor their lengths show in the time taken, and both are always compared.
async function authenticate(request, env) {
  const secret = env.MESH_STORE_TOKEN;
  if (typeof secret !== "string" || secret.length < MIN_TOKEN_CHARS) {
    return { refused: error(503, "not_configured", `the Worker has no MESH_STORE_TOKEN secret of at least ${MIN_TOKEN_CHARS}`
      + " characters; set one with: npx wrangler secret put MESH_STORE_TOKEN") };
  }
  const readSecret = env.MESH_STORE_READ_TOKEN;
  if (readSecret !== undefined && (typeof readSecret !== "string" || readSecret.length < MIN_TOKEN_CHARS
      || readSecret === secret)) {
    return { refused: error(503, "not_configured", `MESH_STORE_READ_TOKEN must be at least ${MIN_TOKEN_CHARS}`
      + " characters and differ from MESH_STORE_TOKEN; set it with: npx wrangler secret put MESH_STORE_READ_TOKEN") };
  }
  const header = request.headers.get("Authorization") || "";
  const presented = header.startsWith("Bearer ") ? header.slice(7) : "";
  const enc = new TextEncoder();
  const [p, a, r] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(presented)),
    crypto.subtle.digest("SHA-256", enc.encode(secret)),
    crypto.subtle.digest("SHA-256", enc.encode(readSecret === undefined ? "" : readSecret)),
  ]);
  const full = crypto.subtle.timingSafeEqual(p, a);
  const read = readSecret !== undefined && crypto.subtle.timingSafeEqual(p, r);
  if (presented.length === 0 || (!full && !read)) {
    return { refused: error(401, "unauthorized", "missing or wrong bearer token: send Authorization: Bearer <token>,"
      + " the value given to wrangler secret put MESH_STORE_TOKEN (or MESH_STORE_READ_TOKEN to read only)") };
  }
  return { refused: null, readOnly: !full };
}

async function readBody(request) {
  const length = Number(request.headers.get("Content-Length") || "0");
  if (length > LIMITS.maxBodyBytes) {
    throw new StoreError(413, "too_large", `the request body is over ${LIMITS.maxBodyBytes} bytes`);
  }
  const text = await request.text();
  if (text.length > LIMITS.maxBodyBytes) {
    throw new StoreError(413, "too_large", `the request body is over ${LIMITS.maxBodyBytes} bytes`);
  }
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new StoreError(400, "bad_json", "the request body is not JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new StoreError(400, "bad_json", "the request body must be a JSON object");
  }
  return body;
}

function checkWrite(body) {
  checkKey(body.key);
  checkWriteId(body.writeId);
  if (typeof body.value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(body.value) || body.value.length % 4 !== 0) {
    throw new StoreError(400, "bad_value", "value must be a base64 string (standard alphabet, padded)");
  }
  const bytes = (body.value.length / 4) * 3 - (body.value.endsWith("==") ? 2 : body.value.endsWith("=") ? 1 : 0);
  if (bytes > LIMITS.maxValueBytes) {
    throw new StoreError(413, "value_too_large", `the value is ${bytes} bytes; this store accepts at most ${LIMITS.maxValueBytes}`);
  }
}

function checkWriteId(id) {
  if (typeof id !== "string" || !WRITE_ID.test(id)) {
    throw new StoreError(400, "bad_write_id", "writeId must be 16 to 64 of A-Z, a-z, 0-9, '_' and '-', new for each write");
  }
}

function ttlOf(body) {
  if (body.ttlMs === undefined || body.ttlMs === null) {
    return null;
  }
  if (!Number.isInteger(body.ttlMs) || body.ttlMs < LIMITS.minTtlMs || body.ttlMs > LIMITS.maxTtlMs) {
    throw new StoreError(400, "bad_ttl", `ttlMs must be an integer from ${LIMITS.minTtlMs} to ${LIMITS.maxTtlMs}`
      + " milliseconds, or absent for no expiry");
  }
  return body.ttlMs;
}

function versionOf(body) {
  const v = body.expectedVersion;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new StoreError(400, "bad_version", "expectedVersion must be a positive integer");
  }
  return v;
}

function json(status, value) {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}

function error(status, code, message) {
  return json(status, { error: { code, message } });
}
