"""Reports sent through notify, to real receivers on 127.0.0.1: Debian's aiosmtpd with STARTTLS
(smtp_server.py) and webhook_sink.py.

- Through the outbox and the real sender: the unit test test_notify_doc's test_through_sender
  writes a report document to the outbox for a mail and a webhook channel and pumps the
  sender; this test reads what the receivers took, the mail's MIME parts with Python's email
  package (multipart/mixed, the text part, the PDF attached with its Chinese file name and
  its bytes whole) and the webhook's summary and link.
- Scheduled, by the daemon (needs the report: section, R1's report_conf.c; skipped before it is
  registered): the daily report made on request through the API, its files listed and
  downloaded, the mail with its department's cut attached, the webhook with the link, and a
  restart that sends nothing twice.
"""
import email
import email.policy
import hashlib
import json
import os
import subprocess
import tempfile
import time
import unittest
import urllib.request

from kwtest import BIN, Daemon, DaemonTest, free_port, run, wait_for
from test_notify import Smtp

HERE = os.path.dirname(os.path.abspath(__file__))
UNIT = os.environ.get("KW_UNIT_DIR", os.path.join(os.path.dirname(os.path.abspath(BIN)), "tests")
                      if os.path.sep in BIN else "")


class Sink:
    """webhook_sink.py on a free port, its requests appended to a file."""

    def __init__(self):
        self.port = free_port()
        self.out = tempfile.mktemp(prefix="kw-sink-")
        self.proc = subprocess.Popen(["python3", os.path.join(HERE, "webhook_sink.py"), str(self.port), self.out],
                                     stdout=subprocess.PIPE, text=True)
        self.proc.stdout.readline()

    def got(self):
        if not os.path.exists(self.out):
            return []
        with open(self.out) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.proc.stdout.close()
        if os.path.exists(self.out):
            os.unlink(self.out)


def mail_parts(raw):
    m = email.message_from_string(raw, policy=email.policy.default)
    return m, [(p.get_content_type(), p.get_filename(), p.get_payload(decode=True)) for p in m.iter_parts()]


class ThroughSender(unittest.TestCase):
    def test_mail_attached_and_webhook_linked(self):
        binary = os.path.join(UNIT, "test_notify_doc")
        if not os.path.exists(binary):
            self.skipTest(f"no {binary} (KW_UNIT_DIR: the unit tests' directory)")
        smtp, sink = Smtp(), Sink()
        self.addCleanup(smtp.stop)
        self.addCleanup(sink.stop)
        pdf = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)
        self.addCleanup(os.unlink, pdf.name)
        data = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
        pdf.write(data)
        pdf.close()
        env = dict(os.environ, KW_TEST_DOC_SMTP=f"smtp://127.0.0.1:{smtp.port}", KW_TEST_DOC_CA=smtp.cert,
                   KW_TEST_DOC_HOOK=f"http://127.0.0.1:{sink.port}/hook", KW_TEST_DOC_FILE=pdf.name)
        r = subprocess.run([binary], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        self.assertIn("ok   test_through_sender", r.stderr)
        wait_for("the mail", lambda: smtp.messages())
        got = smtp.messages()[0]
        self.assertTrue(got["tls"])
        self.assertEqual(got["rcpt"], ["ops@example.com"])
        m, parts = mail_parts(got["data"])
        self.assertEqual(m.get_content_type(), "multipart/mixed")
        self.assertEqual(str(m["subject"]), "值守日报 2026-12-01")
        self.assertEqual([p[0] for p in parts], ["text/plain", "application/pdf"])
        text = parts[0][2].decode()
        self.assertIn("告警 12 条", text)
        self.assertIn("下载报告: http://127.0.0.1:1/api/v1/reports/files/daily-2026-12-01.pdf", text)
        self.assertEqual(parts[1][1], "值守日报-2026-12-01.pdf")
        self.assertEqual(hashlib.sha256(parts[1][2]).hexdigest(), hashlib.sha256(data).hexdigest())
        for line in got["data"].split("\n"):
            self.assertLessEqual(len(line.rstrip("\r")), 78)
        hooks = sink.got()
        self.assertEqual(len(hooks), 1)
        body = json.loads(hooks[0]["body"])
        self.assertEqual(body["kind"], "report")
        self.assertIn("http://127.0.0.1:1/api/v1/reports/files/daily-2026-12-01.pdf", body["text"])
        self.assertNotIn("path", body["document"])  # a webhook is not told where the file lies


class PeriodOnce(DaemonTest):
    """The period report made by the daemon on its own once the period has ended (it ended
    while no server ran), kept, listed and downloadable; a restart makes it no second time."""

    def test_period_report_made_once(self):
        d = self.make_daemon("host: {enabled: false}\n"
                             "period: {name: 重保, start: \"2026-11-20T00:00\", end: \"2026-11-27T00:00\"}\n")
        d.start()
        wait_for("the period report", lambda: d.get("/api/v1/reports")[1]["reports"], timeout=40)
        kept = d.get("/api/v1/reports")[1]
        self.assertEqual(len(kept["reports"]), 1)
        r = kept["reports"][0]
        self.assertEqual(r["kind"], "period")
        job = next(j for j in kept["jobs"] if j["name"] == "period")
        self.assertEqual(job["rule"], "at")
        wait_for("the job's end", lambda: next(j for j in d.get("/api/v1/reports")[1]["jobs"]
                                              if j["name"] == "period")["runs_ok"] == 1)
        pdf = next(f for f in r["files"] if f.endswith(".pdf"))
        req = urllib.request.Request(f"http://127.0.0.1:{d.port}/api/v1/reports/files/{pdf}",
                                     headers={"Authorization": f"Bearer {d.token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            self.assertEqual(resp.headers["Content-Type"], "application/pdf")
            self.assertIn(f'filename="{pdf}"', resp.headers["Content-Disposition"])
            self.assertTrue(resp.read().startswith(b"%PDF-"))
        self.assertTrue(os.path.exists(os.path.join(d.dir, "var", "reports", pdf)))
        self.assertEqual(d.get("/api/v1/reports/files/..%2Fkeepwatch.db")[0], 404)
        d.stop()
        d.start()
        time.sleep(13)  # past the lead's delay: a report not yet made would be made by now
        again = d.get("/api/v1/reports")[1]
        self.assertEqual(len(again["reports"]), 1)
        self.assertEqual(next(j for j in again["jobs"] if j["name"] == "period")["runs_ok"], 0)
        rc, out, err = d.cli("duty", "verify")
        self.assertEqual(rc, 0, out + err)


REPORT_CONFIG = """console: {{timezone: '+08:00'}}
departments:
  - {{name: ops, kind: operations, display: 运维部}}
notify:
  channels:
    - {{name: ops-mail, type: email, department: ops, url: "smtp://127.0.0.1:{smtp}", from: kw@example.com,
        to: [ops@example.com], ca_file: {ca}}}
    - {{name: soc-hook, type: webhook, url: "http://127.0.0.1:{hook}/hook", language: en}}
report:
  daily_at: "08:30"
  formats: [pdf, html]
  link: http://127.0.0.1:{port}
  send:
    - {{department: ops}}
    - {{channels: [soc-hook]}}
"""


class Scheduled(DaemonTest):
    def setUp(self):
        probe = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        probe.write("report: {daily_at: '08:30'}\n")
        probe.close()
        self.addCleanup(os.unlink, probe.name)
        if run("config", "check", "-c", probe.name)[0] != 0:
            self.skipTest("the report: section is not registered yet (R1's report_conf.c)")

    def test_daily_on_request_sent_once(self):
        smtp, sink = Smtp(), Sink()
        self.addCleanup(smtp.stop)
        self.addCleanup(sink.stop)
        d = self.make_daemon()
        d.write_config(REPORT_CONFIG.format(smtp=smtp.port, ca=smtp.cert, hook=sink.port, port=d.port))
        d.start()
        wait_for("the report jobs", lambda: any(j["name"] == "daily" for j in d.get("/api/v1/reports")[1]["jobs"]))
        st, _ = d.post("/api/v1/reports/jobs/daily/run")
        self.assertEqual(st, 202)
        wait_for("the report kept", lambda: d.get("/api/v1/reports")[1]["reports"], timeout=30)
        kept = d.get("/api/v1/reports")[1]["reports"][0]
        self.assertEqual(kept["kind"], "daily")
        day = kept["label"]
        self.assertEqual(sorted(kept["files"]), sorted([f"daily-{day}.pdf", f"daily-{day}.html",
                                                        f"daily-{day}-operations.pdf"]))
        st, body = d.get(f"/api/v1/reports/files/daily-{day}.html")
        self.assertEqual(st, 200)
        self.assertIn("<html", body)
        self.assertEqual(d.get("/api/v1/reports/files/keepwatch.db")[0], 404)
        wait_for("the mail", lambda: smtp.messages(), timeout=30)
        m, parts = mail_parts(smtp.messages()[0]["data"])
        self.assertEqual(parts[1][0], "application/pdf")
        self.assertEqual(parts[1][1], f"daily-{day}-operations.pdf")
        self.assertTrue(parts[1][2].startswith(b"%PDF"))
        wait_for("the webhook", lambda: sink.got(), timeout=30)
        hook = json.loads(sink.got()[0]["body"])
        self.assertIn(f"/api/v1/reports/files/daily-{day}.pdf", hook["text"])
        # asked again, and after a restart: nothing sent twice
        d.post("/api/v1/reports/jobs/daily/run")
        time.sleep(2)
        d.stop()
        d.start()
        time.sleep(12)
        self.assertEqual(len(smtp.messages()), 1)
        self.assertEqual(len(sink.got()), 1)
        self.assertEqual(len(d.get("/api/v1/reports")[1]["reports"]), 1)


if __name__ == "__main__":
    unittest.main()
