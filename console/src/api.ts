// The API, with the session cookie (sent by the browser) and the CSRF token on changes.

let csrf = "";

export class ApiError extends Error {
  constructor(public status: number, message: string, public retryAfter = 0) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                credentials: "same-origin" });
  const data = await r.json().catch(() => ({}));
  if (r.status === 401 && path !== "/api/v1/session") location.replace("/");
  if (!r.ok) throw new ApiError(r.status, data.error || r.statusText, Number(r.headers.get("Retry-After") || 0));
  return data as T;
}

export const api = {
  get: <T>(path: string) => call<T>("GET", path),
  post: <T>(path: string, body?: unknown) => call<T>("POST", path, body ?? {}),
  del: <T>(path: string) => call<T>("DELETE", path),
  setCsrf(token: string) {
    csrf = token;
  },
};

export interface User { name: string; display?: string; role: string; department?: string }
export interface Alert {
  id: number; rule: string; state: string; severity: number; severity_name: string; summary: string;
  labels: Record<string, string>; started_at: string; updated_at?: string; acked_by?: string; acked_at?: string;
  ack_note?: string; resolved_at?: string; resolved_by?: string; resolve_reason?: string; assignee?: string;
  server?: string; /* several servers on one store: whose sensors raised it */
  value?: number; peak?: number; threshold?: number; flaps?: number;
  details?: { event?: { dataset?: string; action?: string }; message?: string; [k: string]: unknown };
  history?: { at: string; action: string; actor?: string; note?: string; value?: number }[];
}
export interface DutyEntry { id: number; ts: string; kind: string; actor?: string; alert_id?: number; text?: string }
export interface Verify { intact: boolean; entries: number; bad_entry?: number; why?: string }
export interface OnCall { schedule: string; person?: string; display?: string; phone?: string; until?: string; next?: string; next_person?: string }
export interface Overview {
  user: User; now: string;
  period: { name: string; start: string; end: string } | null;
  alerts: { firing: number; acked: number; by_severity: Record<string, number> };
  assets: { name: string; business?: string; department?: string; state: string; severity?: string; alerts: number }[];
  oncall: OnCall[];
  duty: { entries: DutyEntry[]; verify: Verify };
}
export interface Shift { schedule: string; person: string; display: string; layer: string; start: string; end: string }
export interface OnCallAnswer { now: OnCall[]; shifts: Shift[] }
export interface Series { series: string; resolution: string; points: [number, number, number, number][] }
export interface Talker { address: string; bits_per_second: number; packets_per_second: number }
export interface NetIf {
  interface: string; at: string; window_seconds: number; packets: number; bytes: number; kernel_dropped: number;
  sources: Talker[]; destinations: Talker[];
}

// ---- triage (http_triage.c) ----
export interface AlertGroup {
  key: string; by: "asset" | "source"; rule: string; asset?: string; host?: string; source?: string;
  severity: number; severity_name: string; count: number; firing: number; acked: number; first: string; last: string;
  newest: number; summary: string; assignee?: string; matchers: Record<string, string>;
}
export interface AlertGroups { alerts: number; total_groups: number; ungrouped?: number; groups: AlertGroup[] }
export interface Notification {
  id: number; created: string; channel: string; kind: string; state: string; attempts: number; sent?: string;
  error?: string; people?: string; level?: number; policy?: string;
}
export interface NotifyGroup { group: number; policy: string; level: number; round: number; opened: string; closed: boolean;
  notified: boolean; held?: string }
export interface Notifications { alert: number; notifications: Notification[]; groups: NotifyGroup[]; acked_by?: string; acked_at?: string }
export interface Silence {
  id: number; state: string; matchers: Record<string, string>; from: string; until: string; by?: string; created: string;
  comment?: string;
}
