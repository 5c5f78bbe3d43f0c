/**
 * Preloaded into the measured server processes (`node --expose-gc --import ./memory-probe.mjs …`): on
 * SIGUSR2 it writes the process's memory as it is and again after two full garbage collections to
 * $BENCH_PROBE_FILE, so the benchmark can report memory per idle connection without garbage left over
 * from the connection burst. It adds no work until signalled.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    const before = process.memoryUsage();
    globalThis.gc?.();
    globalThis.gc?.();
    const after = process.memoryUsage();
    writeFileSync(file, JSON.stringify({ at: Date.now(), before, after, gc: typeof globalThis.gc === 'function' }));
  });
}
