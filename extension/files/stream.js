// Streams a file through the WASM core's FileEncryptor / FileDecryptor
// (docs/FORMAT.md §13) without ever holding the whole file. The core runs in
// a worker (worker.js); this page reads the file in slices of SLICE bytes,
// sends each to the worker while the previous one is being sealed, and hands
// the output to Blobs (the browser's blob storage) as it comes back, so the
// page holds a few slices of data at a time and the WASM memory stays at a
// few MiB whatever the file size. Nothing here logs.
//
// The result is offered only when finish() succeeded; on any failure or
// cancel everything produced so far is dropped, and the worker is ended.

export const SLICE = 1 << 20;
const FOLD = 1 << 20;

// Sizes of the format (§13): a file is HEADER, any number of SEALED_CHUNKs,
// then one SEALED_FINAL. Any other length cannot be a whole file.
const HEADER = 34;
const SEALED_CHUNK = 65_536 + 16;
const SEALED_FINAL = 65_536 + 4 + 16;

/** True when `size` is the length of a complete ChatSeal file. */
export function wholeFileSize(size) {
  const rest = size - HEADER - SEALED_FINAL;
  return rest >= 0 && rest % SEALED_CHUNK === 0;
}

const MAGIC = [...'CHATSEALF'].map((c) => c.charCodeAt(0));

/** True when `bytes` (shorter than a header) could be the start of a ChatSeal file. */
function startsLikeChatSeal(bytes) {
  return !!bytes && bytes.length > 0 && Array.from(bytes.subarray(0, MAGIC.length)).every((b, i) => b === MAGIC[i]);
}

/** The key id (16 hex digits) named in a file's header bytes, or null. */
export function headerKeyId(bytes) {
  if (!bytes || bytes.length < HEADER) return null;
  return Array.from(bytes.subarray(10, 18), (b) => b.toString(16).padStart(2, '0')).join('');
}

function aborted(signal) {
  if (signal?.aborted) throw new DOMException('cancelled', 'AbortError');
}

const unreadable = () => Object.assign(new Error('the file could not be read'), { code: 'unreadable' });

/**
 * Reads `blob` in slices of `size` bytes. Where the browser has byte streams
 * (Blob.stream() with a BYOB reader) the slices are read into two buffers in
 * turn, the next slice while the caller works on this one, so reading
 * allocates nothing per slice (garbage ArrayBuffers would pile up as memory
 * until the next GC) and the file's bytes are on their way while the core
 * runs; else blob.slice().arrayBuffer() with one read ahead. A slice is only
 * valid until the next one is asked for. Read failures carry code 'unreadable'.
 */
async function* slices(blob, size, signal) {
  let reader = null;
  try {
    reader = blob.stream().getReader({ mode: 'byob' });
  } catch {
    // no byte streams here
  }
  if (!reader) {
    yield* sliceReads(blob, size, signal);
    return;
  }
  const length = Math.min(size, Math.max(blob.size, 1));
  // Fills `buffer` (a read may return less than asked), or up to the end.
  const fill = async (buffer) => {
    let filled = 0;
    while (filled < buffer.byteLength) {
      let result;
      try {
        result = await reader.read(new Uint8Array(buffer, filled, buffer.byteLength - filled));
      } catch {
        throw unreadable();
      }
      if (result.value) buffer = result.value.buffer; // the same memory, handed back
      if (result.done) return { buffer, filled, done: true };
      filled += result.value.byteLength;
    }
    return { buffer, filled, done: false };
  };
  let spare = new ArrayBuffer(length);
  let next = fill(new ArrayBuffer(length));
  try {
    for (;;) {
      const { buffer, filled, done } = await next;
      aborted(signal);
      if (!done) {
        next = fill(spare);
        next.catch(() => {}); // a read ahead that is never awaited (cancel) must not be reported
      }
      if (filled > 0) yield new Uint8Array(buffer, 0, filled);
      if (done) return;
      spare = buffer; // the caller is done with this slice
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** Fallback: blob.slice().arrayBuffer(), one read ahead. */
async function* sliceReads(blob, size, signal) {
  const read = (at) => {
    const p = blob.slice(at, at + size).arrayBuffer();
    p.catch(() => {}); // a read ahead that is never awaited (cancel) must not be reported
    return p;
  };
  let next = blob.size > 0 ? read(0) : null;
  for (let at = 0; at < blob.size; at += size) {
    let buffer;
    try {
      buffer = await next;
    } catch {
      throw unreadable();
    }
    aborted(signal);
    next = at + size < blob.size ? read(at + size) : null;
    yield new Uint8Array(buffer);
  }
}

/**
 * Collects output as Blobs: a Blob's bytes go to the browser's blob storage
 * (memory or disk), not this page's heap. add() keeps a fresh array until
 * about FOLD bytes are pending; copy() takes a view of a reused buffer and
 * makes its Blob at once.
 */
class Sink {
  constructor() {
    this.blobs = [];
    this.parts = [];
    this.pending = 0;
  }

  add(bytes) {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.pending += bytes.length;
    if (this.pending >= FOLD) this.fold();
  }

  copy(view) {
    this.parts.push(view);
    this.fold(); // the Blob copies the bytes now; the buffer is then reused
  }

  fold() {
    if (this.parts.length) this.blobs.push(new Blob(this.parts));
    this.parts = [];
    this.pending = 0;
  }

  result(type) {
    this.fold();
    return new Blob(this.blobs, { type });
  }
}

/**
 * The crypto worker (worker.js) as promises. The worker is ended by a failed
 * or cancelled job (terminate() stops it at once, even inside a chunk); make
 * a new one for the next job (`dead` tells).
 */
export class CryptoWorker {
  constructor() {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.calls = new Map();
    this.nextId = 1;
    this.dead = false;
    this.wasmBytes = 0; // the worker's WASM memory, as it last said
    this.lent = 0; // bytes of this page's buffers the worker holds now
    this.worker.onmessage = ({ data }) => {
      this.wasmBytes = data.wasmBytes;
      const call = this.calls.get(data.id);
      if (!call) return;
      this.calls.delete(data.id);
      this.lent -= call.lent;
      if (data.error) call.reject(Object.assign(new Error('the file could not be processed'), { code: data.error.code }));
      else call.resolve(data);
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.terminate(Object.assign(new Error('the crypto worker failed'), { code: 'internal' }));
    };
  }

  /** Sends `message` (with `transfer`); resolves to the worker's reply. */
  call(message, transfer = []) {
    if (this.dead) return Promise.reject(Object.assign(new Error('the crypto worker has ended'), { code: 'internal' }));
    const id = this.nextId++;
    const lent = transfer.reduce((sum, buffer) => sum + buffer.byteLength, 0);
    this.lent += lent;
    const reply = new Promise((resolve, reject) => this.calls.set(id, { resolve, reject, lent }));
    this.worker.postMessage({ id, ...message }, transfer);
    return reply;
  }

  /** The memory the worker holds for this page: its WASM memory and our buffers. */
  bytesHeld() {
    return this.dead ? 0 : this.wasmBytes + this.lent;
  }

  /** Ends the worker; pending calls fail with `reason`. */
  terminate(reason) {
    if (this.dead) return;
    this.dead = true;
    this.worker.terminate();
    for (const call of this.calls.values()) call.reject(reason);
    this.calls.clear();
    this.lent = 0;
  }
}

// Most output of one push (docs in src/bindings.rs): sealed chunks for the
// data plus what was buffered; plaintext at most the input plus a buffered chunk.
const ENCRYPT_ROOM = (n) => n + SEALED_CHUNK * (Math.floor(n / 65_536) + 2);
const DECRYPT_ROOM = (n) => n + SEALED_FINAL + 1;

/**
 * Runs `input` through the worker's job, slice by slice, one slice ahead: the
 * next slice is read and sent while the worker seals the previous one. The
 * slices are copied into buffers lent to the worker and given back with the
 * output. onSlice(bytes) sees each slice first; onProgress(doneBytes,
 * totalBytes) follows each result.
 */
async function pump(input, worker, sink, room, { signal, onProgress, onSlice, slice = SLICE }) {
  const inputs = [];
  const outputs = [];
  let done = 0;
  let inFlight = null;
  const settle = async () => {
    const { reply, length } = inFlight;
    inFlight = null;
    const r = await reply;
    if (r.length > 0) sink.copy(new Uint8Array(r.output, 0, r.length));
    inputs.push(r.input);
    outputs.push(r.output);
    done += length;
    onProgress?.(done, input.size);
  };
  for await (const bytes of slices(input, slice, signal)) {
    onSlice?.(bytes);
    let buffer = inputs.pop();
    if (!buffer || buffer.byteLength < bytes.length) buffer = new ArrayBuffer(slice);
    new Uint8Array(buffer).set(bytes);
    const output = outputs.pop() ?? null;
    const reply = worker.call(
      { op: 'push', input: buffer, length: bytes.length, output, room: room(bytes.length) },
      output ? [buffer, output] : [buffer],
    );
    reply.catch(() => {}); // awaited in settle(); a cancel may leave it unawaited
    if (inFlight) await settle();
    inFlight = { reply, length: bytes.length };
  }
  if (inFlight) await settle();
}

/** Runs one job on `worker`: Cancel ends the worker at once, and so does a failure. */
async function job(worker, signal, run) {
  aborted(signal);
  const cancel = () => worker.terminate(new DOMException('cancelled', 'AbortError'));
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await run();
  } catch (e) {
    worker.terminate(e);
    throw e;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}

/**
 * Encrypts `file` (a Blob) with `secret` (Uint8Array(32)) on `worker` (a
 * CryptoWorker); the original name and type travel inside. Resolves to a
 * Blob (the .chatseal file); rejects with a core error (.code),
 * {code: 'unreadable'} or an AbortError.
 */
export function encryptFile(worker, file, secret, { name, type, signal, onProgress, slice } = {}) {
  return job(worker, signal, async () => {
    const sink = new Sink();
    const { header } = await worker.call({ op: 'encrypt', secret, name: name ?? file.name ?? '', type: type ?? file.type ?? '' });
    sink.add(new Uint8Array(header));
    await pump(file, worker, sink, ENCRYPT_ROOM, { signal, onProgress, slice });
    const { last } = await worker.call({ op: 'finish' });
    sink.add(new Uint8Array(last));
    return sink.result('application/octet-stream');
  });
}

/**
 * Decrypts a .chatseal `file` on `worker` with whichever of `secrets` it
 * names. Resolves to {blob, name, type, keyId}; rejects with a core error
 * (.code: unknown_key, altered, not_chatseal, unsupported_version, ...),
 * {code: 'truncated'} when the file ends early, {code: 'unreadable'} or an
 * AbortError.
 */
export function decryptFile(worker, file, secrets, { signal, onProgress, slice } = {}) {
  return job(worker, signal, async () => {
    const sink = new Sink();
    let head = null; // the first bytes (slices are far larger than a header)
    await worker.call({ op: 'decrypt', secrets });
    await pump(file, worker, sink, DECRYPT_ROOM, {
      signal, onProgress, slice, onSlice: (bytes) => { head ??= bytes.slice(0, HEADER); },
    });
    let last;
    try {
      last = await worker.call({ op: 'finish' });
    } catch (e) {
      // The core reports a file that ends early as altered; its length tells
      // the two apart (a whole file has one of a few lengths, §13).
      if (e?.code === 'altered' && !wholeFileSize(file.size)) {
        e.code = file.size < HEADER && !startsLikeChatSeal(head) ? 'not_chatseal' : 'truncated';
      }
      throw e;
    }
    sink.add(new Uint8Array(last.last));
    return { blob: sink.result(safeType(last.type)), name: last.name, type: last.type, keyId: headerKeyId(head) };
  });
}

// Types a browser would render as a document or run as script if the object
// URL were ever opened in a tab (it would have this extension's origin):
// these are saved as plain bytes instead. The name keeps its extension.
const ACTIVE_TYPES = /^(text\/(html|xml|javascript|ecmascript)|application\/(xhtml\+xml|xml|javascript|ecmascript|x-javascript)|image\/svg\+xml)\b/i;

/** The media type to give the decrypted Blob. */
export function safeType(type) {
  const t = String(type ?? '').trim();
  if (!t || ACTIVE_TYPES.test(t) || /[^\x21-\x7e ;=]/.test(t)) return 'application/octet-stream';
  return t;
}

/**
 * A file name safe to offer for saving: the last path component of the name
 * carried inside (untrusted), without control or direction-changing characters
 * (which can disguise an extension), without leading/trailing dots or spaces.
 */
export function safeName(name, fallback) {
  let n = String(name ?? '').split(/[/\\]/).pop();
  n = n.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '').replace(/[<>:"|?*]/g, '_');
  n = n.replace(/^[\s.]+|[\s.]+$/gu, '');
  return n.slice(0, 200) || fallback;
}
