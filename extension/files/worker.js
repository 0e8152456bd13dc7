// The files page's crypto worker (a module worker of the extension origin):
// it runs the WASM core's FileEncryptor / FileDecryptor, so the page's own
// thread only reads the file, makes Blobs and draws, and the next slice is
// read and sent while this one is sealed. One job at a time; the page starts
// a new worker after a failure or a cancel. Nothing here logs.
//
// Messages (page -> worker; every reply carries the same `id` and `wasmBytes`,
// the size of this worker's WASM memory):
//   {op: 'encrypt', secret, name, type}  -> {header: ArrayBuffer}
//   {op: 'decrypt', secrets}             -> {}
//   {op: 'push', input, length, output, room} -> {input, output, length}:
//       `input` (its first `length` bytes) and `output` (or null) travel as
//       transferred ArrayBuffers and come back the same way; `output` is
//       replaced when it has fewer than `room` bytes
//   {op: 'finish'} -> encrypt: {last: ArrayBuffer}; decrypt: {last, name, type}
// A failure replies {error: {code}} and ends the job.
import init, * as core from '../wasm/chatseal.js';

let wasm = null;
const ready = init({ module_or_path: new URL('../wasm/chatseal_bg.wasm', import.meta.url) }).then((exports) => {
  wasm = exports;
  postMessage({ id: 0, wasmBytes: wasmBytes() });
});

let job = null; // {work: FileEncryptor | FileDecryptor, encrypting: boolean}
let queue = ready;

const wasmBytes = () => wasm?.memory.buffer.byteLength ?? 0;

function reply(id, message, transfer = []) {
  postMessage({ id, ...message, wasmBytes: wasmBytes() }, transfer);
}

function endJob() {
  job?.work.free();
  job = null;
}

function handle({ id, op, ...args }) {
  if (op === 'encrypt' || op === 'decrypt') {
    endJob();
    job = op === 'encrypt'
      ? { work: new core.FileEncryptor(args.secret, args.name, args.type), encrypting: true }
      : { work: new core.FileDecryptor(args.secrets), encrypting: false };
    if (!job.encrypting) return reply(id, {});
    const header = job.work.header();
    return reply(id, { header: header.buffer }, [header.buffer]);
  }
  if (!job) throw Object.assign(new Error('no file is being worked on'), { code: 'invalid_argument' });
  if (op === 'push') {
    const output = args.output && args.output.byteLength >= args.room ? args.output : new ArrayBuffer(args.room);
    const length = job.work.pushInto(new Uint8Array(args.input, 0, args.length), new Uint8Array(output));
    return reply(id, { input: args.input, output, length }, [args.input, output]);
  }
  if (op === 'finish') {
    const { encrypting, work } = job;
    job = null;
    try {
      if (encrypting) {
        const last = work.finish();
        return reply(id, { last: last.buffer }, [last.buffer]);
      }
      const { data, name, type } = work.finish();
      return reply(id, { last: data.buffer, name, type }, [data.buffer]);
    } finally {
      work.free();
    }
  }
  throw Object.assign(new Error('unknown operation'), { code: 'invalid_argument' });
}

onmessage = ({ data }) => {
  queue = queue.then(() => handle(data)).catch((e) => {
    endJob();
    reply(data.id, { error: { code: typeof e?.code === 'string' ? e.code : 'internal' } });
  });
};
