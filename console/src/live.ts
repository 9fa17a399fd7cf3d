// Live updates: one EventSource on /api/v1/stream (server-sent events, with the session
// cookie). The browser reconnects by itself after a drop; the server ends each stream after
// ten minutes so a signed-out session stops receiving. Views subscribe while they are shown.

export interface Tick {
  ts: string;
  pps: { target: string; interface: string; value: number }[];
  bps: { target: string; interface: string; value: number }[];
  host: { cpu?: number; memory?: number; load1?: number };
}
export interface AlertsEvent { firing: number; acked: number; change: number }

type Kind = "alerts" | "duty" | "tick" | "resync" | "hello" | "state";
type Fn = (data: any) => void;

const subs = new Map<Kind, Set<Fn>>();
let es: EventSource | null = null;
let up = false;

export function liveUp(): boolean {
  return up;
}

function emit(kind: Kind, data: unknown): void {
  subs.get(kind)?.forEach((fn) => fn(data));
}

export function startLive(): void {
  if (es) return;
  es = new EventSource("/api/v1/stream");
  es.onopen = () => { up = true; emit("state", true); };
  es.onerror = () => {
    up = false;
    emit("state", false);
    // a closed stream with no session is a 401: EventSource gives up; the API calls send
    // the page to the sign-in form
    if (es && es.readyState === EventSource.CLOSED) {
      es = null;
      window.setTimeout(startLive, 5000);
    }
  };
  for (const k of ["hello", "alerts", "duty", "tick", "resync"] as Kind[])
    es.addEventListener(k, (e) => emit(k, JSON.parse((e as MessageEvent).data)));
}

// Subscribes fn to kind; returns the unsubscription.
export function on(kind: Kind, fn: Fn): () => void {
  if (!subs.has(kind)) subs.set(kind, new Set());
  subs.get(kind)!.add(fn);
  return () => subs.get(kind)!.delete(fn);
}
