// The one way the UI reads data: the public /api/v1 API, with the key the person gave us.

const KEY_STORAGE = "nightcall.key";

export class ApiError extends Error {
  constructor(status, detail, url) {
    super(detail.message || `HTTP ${status}`);
    this.status = status;
    this.code = detail.code || null;
    this.hint = detail.hint || null;
    this.location = detail.location || null;
    this.url = url;
  }

  /** A 404 for the path itself (the server lacks this API), not for one thing in it. */
  get isMissingRoute() {
    return this.status === 404 && /: Not Found$/.test(this.message);
  }
}

export function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

function url(path, params) {
  const target = new URL(`/api/v1${path}`, location.origin);
  for (const [key, value] of Object.entries(params || {})) {
    if (value === null || value === undefined || value === "") continue;
    for (const v of Array.isArray(value) ? value : [value]) target.searchParams.append(key, v);
  }
  return target;
}

async function request(method, path, { params, body, signal } = {}) {
  const target = url(path, params);
  const headers = { Accept: "application/json" };
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(target, {
      method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, {
      message: `the server did not answer ${method} ${target.pathname}`,
      hint: "check that `nightcall serve` is still running, then press r to retry",
    }, target);
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const detail = data && data.error ? data.error : { message: `${response.status} ${response.statusText}: ${text.slice(0, 200)}` };
    throw new ApiError(response.status, detail, target);
  }
  return data;
}

export const api = {
  get: (path, params, options = {}) => request("GET", path, { params, ...options }),
  post: (path, body, options = {}) => request("POST", path, { body, ...options }),
  put: (path, body, options = {}) => request("PUT", path, { body, ...options }),
  patch: (path, body, options = {}) => request("PATCH", path, { body, ...options }),
  delete: (path, options = {}) => request("DELETE", path, options),
};

let described = null;

/** The API's paths from its OpenAPI document (read once), to know which features exist. */
export async function apiPaths() {
  if (!described) {
    described = fetch("/openapi.json", { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : { paths: {} }))
      .then((doc) => new Set(Object.keys(doc.paths || {})))
      .catch(() => new Set());
  }
  return described;
}

/** Whether the server has `path` (e.g. "/api/v1/incidents"). */
export async function hasApi(path) {
  return (await apiPaths()).has(path);
}
