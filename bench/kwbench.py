"""What the benchmark drivers share: ports, a keepwatch fed by a syslog/TCP input whose rule
makes one alert per failed SSH login source, and the storm of those logins."""
import os
import socket
import subprocess
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ssh_storm_logs(tcp):
    """The logs section: a syslog/TCP input on tcp, one high alert per failed-login source."""
    return f"""logs:
  max_groups: 100000
  inputs: [{{name: net, type: syslog, listen: "127.0.0.1:{tcp}", protocol: tcp}}]
  rules:
    - {{name: ssh_fail, match: {{event.dataset: openssh, event.outcome: failure}}, count: 1, by: [source.ip],
       severity: high, end_after: 1h}}
"""


def ssh_storm(tcp, n, batch=500):
    """n failed SSH logins from n sources, sent over syslog/TCP in batches."""
    with socket.create_connection(("127.0.0.1", tcp)) as s:
        buf = []
        for i in range(n):
            ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
            buf.append(f"<38>Nov 24 10:00:00 web sshd[1]: Failed password for root from {ip} port 22 ssh2\n")
            if len(buf) == batch:
                s.sendall("".join(buf).encode())
                buf = []
        s.sendall("".join(buf).encode())


def start_keepwatch(binary, work, config, tcp):
    """Writes config to work/keepwatch.yaml, starts `keepwatch serve` and waits until the
    syslog port takes connections. Returns (process, config path, log file)."""
    cfg = os.path.join(work, "keepwatch.yaml")
    with open(cfg, "w") as f:
        f.write(config)
    log = open(os.path.join(work, "serve.log"), "w")
    p = subprocess.Popen([binary, "serve", "-c", cfg], stdout=log, stderr=log)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", tcp), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return p, cfg, log


def start_alertmanager(binary, work, config):
    """Writes config to work/am.yml, starts Prometheus Alertmanager on a free loopback port
    (no cluster) and waits until it is ready. Returns (process, port)."""
    with open(os.path.join(work, "am.yml"), "w") as f:
        f.write(config)
    port = free_port()
    p = subprocess.Popen([binary, f"--config.file={work}/am.yml", f"--storage.path={work}/data",
                          f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return p, port
