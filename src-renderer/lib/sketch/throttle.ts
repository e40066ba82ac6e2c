// A throttled, latest-wins runner for an async task (live prediction while drawing): at most one
// run in flight, at most one start per interval, and requests that arrive meanwhile fold into a
// single trailing run, which reads the newest state when it starts.

export interface Throttled {
  /** Ask for a run within the interval. */
  request(): void;
  /** Ask for a run as soon as the one in flight (if any) finishes. */
  flush(): void;
  /** Drop a pending run (an in-flight one still finishes). */
  cancel(): void;
}

export function throttleLatest(task: () => Promise<unknown>, intervalMs: number, now: () => number = () => Date.now()): Throttled {
  let pending = false;
  let urgent = false;
  let running = false;
  let lastStart = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const schedule = () => {
    if (running || !pending) return;
    const delay = urgent ? 0 : Math.max(0, lastStart + intervalMs - now());
    if (timer !== null) {
      if (!urgent) return;
      clearTimeout(timer);
    }
    timer = setTimeout(run, delay);
  };

  const run = async () => {
    timer = null;
    if (!pending || running) return;
    pending = false;
    urgent = false;
    running = true;
    lastStart = now();
    try {
      await task();
    } catch {
      /* the task reports its own errors */
    } finally {
      running = false;
      schedule();
    }
  };

  return {
    request() {
      pending = true;
      schedule();
    },
    flush() {
      pending = true;
      urgent = true;
      schedule();
    },
    cancel() {
      pending = false;
      urgent = false;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
