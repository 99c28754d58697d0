// The explorer API of `pcnsim serve` (JSON under /api).
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.problems = (body && body.problems) || [];
  }
}

async function request(method, path, body) {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(path, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (response.status === 503 && attempt < 30) {
      const wait = Number(response.headers.get("Retry-After") || 2);
      await new Promise((r) => setTimeout(r, Math.min(10, Math.max(1, wait)) * 1000));
      continue;
    }
    if (!response.ok && response.status !== 202) throw new ApiError(response.status, data);
    return data;
  }
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body);

const cache = new Map();
/** GET once per path (run summaries, maps and comparisons never change: the run id is a hash). */
export function getCached(path) {
  if (!cache.has(path)) {
    const p = get(path);
    cache.set(path, p);
    p.catch(() => cache.delete(path));
  }
  return cache.get(path);
}

/** Starts (or finds) a run and waits until it is done; onProgress(done, total) while it runs. */
export async function runAndWait(body, onProgress) {
  const started = await post("/api/runs", body);
  const id = started.id;
  let status = started;
  let pause = 50;  // ms; short at first (a teaching run takes a few hundredths of a second), then up to 400
  while (status.status !== "done") {
    if (status.status === "failed") throw new ApiError(500, { error: `run ${id} failed: ${status.error || "unknown"}` });
    if (status.progress) onProgress(status.progress.done, status.progress.total);
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(400, pause * 1.5);
    status = await get(`/api/runs/${id}`);
  }
  if (status.progress) onProgress(status.progress.total, status.progress.total);
  return id;
}
