// The WASM core, loaded lazily and once per service-worker life: the worker is
// stopped when idle, so the first message after a restart pays for compiling
// the module. Timings are kept (not logged) for the tests and the benchmark.
import init, * as core from '../wasm/chatseal.js';

const workerStart = performance.now(); // ms since this worker instance started
let ready = null;

export const timings = {
  moduleEvaluatedMs: workerStart, // worker start -> this module evaluated
  wasmInitMs: null, // duration of init() (fetch + compile + instantiate)
  wasmReadyAtMs: null, // worker start -> WASM ready
  firstDecryptAtMs: null, // worker start -> first decrypt finished
  firstDecryptMs: null, // first decrypt request: arrival -> answer (includes WASM init if cold)
};

/** Resolves to the core's exports once the WASM is instantiated. */
export function loadCore() {
  if (!ready) {
    const t0 = performance.now();
    ready = init({ module_or_path: new URL('../wasm/chatseal_bg.wasm', import.meta.url) }).then(() => {
      timings.wasmInitMs = performance.now() - t0;
      timings.wasmReadyAtMs = performance.now();
      return core;
    });
    ready.catch(() => { ready = null; }); // let a later message try again
  }
  return ready;
}

/**
 * Wipes the keys the core prepared for earlier calls (it keeps a few between
 * calls, see docs/WASM-API.md), e.g. once a key was deleted. Does not load
 * the core when it is not loaded.
 */
export function forgetPreparedKeys() {
  ready?.then((c) => c.forgetPreparedKeys(), () => {});
}

/** Records the first decrypt of this worker's life (cold-start measurement). */
export function noteDecrypt(startedAt) {
  if (timings.firstDecryptAtMs !== null) return;
  timings.firstDecryptAtMs = performance.now();
  timings.firstDecryptMs = timings.firstDecryptAtMs - startedAt;
}
