"""Simulated agents for bench/agent.sh: N agents (credentials from a file, one per line), each
sending a batch of S samples every INTERVAL seconds for DURATION seconds, through W worker
threads with kept-alive connections. Prints the batches sent, their rate, the answer times
(p50, p99, max), how many took longer than 2 s, and how many were refused.

    python3 bench/agent_load.py PORT CREDS_FILE [--interval 5] [--duration 30] [--samples 100] [--workers 32]
"""
import argparse
import gzip
import heapq
import http.client
import json
import random
import threading
import time


def batch(seq, samples):
    now = int(time.time() * 1000)
    s = [{"n": "host_cpu_usage_ratio", "v": random.random(), "h": 1}]
    s += [{"n": "host_fs_used_ratio", "v": random.random(), "h": 1, "l": {"mountpoint": f"/m{i}"}}
          for i in range(samples - 1)]
    return gzip.compress(json.dumps({"seq": seq, "sets": [{"source": "host", "ts": now, "samples": s}]}).encode())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("creds")
    ap.add_argument("--interval", type=float, default=5)
    ap.add_argument("--duration", type=float, default=30)
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--workers", type=int, default=32)
    a = ap.parse_args()
    creds = [line.strip() for line in open(a.creds) if line.strip()]
    start = time.monotonic() + 1
    due = [(start + random.random() * a.interval, i, 1) for i in range(len(creds))]  # spread over one interval
    heapq.heapify(due)
    lock = threading.Lock()
    lat, refused = [], [0]
    end = start + a.duration

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
        while True:
            with lock:
                if not due or due[0][0] >= end:
                    return
                t, i, seq = heapq.heappop(due)
                heapq.heappush(due, (t + a.interval, i, seq + 1))
            wait = t - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            body = batch(seq, a.samples)
            t0 = time.monotonic()
            try:
                conn.request("POST", "/api/v1/agent/batch", body, {
                    "Authorization": "Bearer " + creds[i], "Content-Encoding": "gzip",
                    "Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
                ok = False
            with lock:
                lat.append(time.monotonic() - t0)  # from when it was sent
                if not ok:
                    refused[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(a.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat.sort()
    n = len(lat)
    el = a.duration
    if not n:
        print("no batches sent")
        return
    late = sum(1 for x in lat if x > 2)
    print(f"agents {len(creds)}  batches {n} ({n / el:.0f}/s, {n * a.samples / el:.0f} samples/s)  "
          f"answer p50 {lat[n // 2] * 1000:.1f} ms  p99 {lat[int(n * 0.99)] * 1000:.1f} ms  "
          f"max {lat[-1] * 1000:.0f} ms  over 2 s: {late}  refused: {refused[0]}")


if __name__ == "__main__":
    main()
