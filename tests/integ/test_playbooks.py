"""The built-in playbooks (playbooks/*.yaml) hold together: the shape of incident.playbooks
items, owners and tells that are valid under any configuration (duty, kind:KIND), needs that
name steps of the same file, no cycles, no step due before a step it needs, a regulator step
without its own deadline at grades I-III, a department report, a review, criteria for every
grade, Chinese beside English, and GB/T 20986-2023 codes from src/incident/incident_class.c.

A stand-in for the playbook validator (branch wip-pb) until it is merged; when the binary
has `keepwatch incident playbook check`, that is run on the files too.
"""
import os
import re
import subprocess
import unittest

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PLAYBOOKS = os.path.join(ROOT, "playbooks")
CLASS_C = os.path.join(ROOT, "src", "incident", "incident_class.c")
BUILTIN = ["ddos", "defacement", "intrusion", "ransomware", "data_leak", "account_compromise",
           "vuln_exploited", "service_failure", "phishing"]

PB_KEYS = {"name", "title", "title_zh", "description", "description_zh", "category",
           "subcategory", "grade", "grades", "phases"}
PB_REQUIRED = PB_KEYS
STEP_KEYS = {"name", "title", "title_zh", "do", "do_zh", "owner", "within", "needs", "tell",
             "message", "message_zh", "report", "grades"}
STEP_REQUIRED = {"name", "title", "title_zh", "do", "do_zh", "owner"}
PHASES = ["confirm", "contain", "eradicate", "recover", "report"]
GRADES = ["I", "II", "III", "IV"]
KINDS = {"security", "operations", "business", "customer_service", "management"}
UNITS = {"ms": 1, "s": 1000, "m": 60000, "h": 3600000, "d": 86400000, "w": 604800000}
CJK = re.compile(r"[\u4e00-\u9fff]")
# what notify expands in a step's message (src/notify/notify_incident.c)
PLACEHOLDERS = {"id", "title", "grade", "asset", "business", "impact", "advice", "step", "due",
                "console_url"}


def duration_ms(v):
    """'15m', '2h', '1h30m', '7d' as ms; raises ValueError otherwise."""
    if isinstance(v, int) and v == 0:
        return 0
    s = str(v)
    parts = re.findall(r"(\d+)(ms|s|m|h|d|w)", s)
    if not parts or "".join(n + u for n, u in parts) != s:
        raise ValueError("bad duration %r" % v)
    return sum(int(n) * UNITS[u] for n, u in parts)


def target_ok(t):
    return t == "duty" or (t.startswith("kind:") and t[5:] in KINDS)


def class_table():
    """{code: parent or None} from incident_class.c's CAT/SUB rows."""
    with open(CLASS_C, encoding="utf-8") as f:
        text = f.read()
    table = {}
    for m in re.finditer(r'CAT\("([A-Z]+)"', text):
        table[m.group(1)] = None
    for m in re.finditer(r'SUB\("([A-Z]+)", "([A-Z]+)"', text):
        table[m.group(2)] = m.group(1)
    return table


def load(name):
    with open(os.path.join(PLAYBOOKS, name + ".yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def steps_of(pb):
    for ph in pb["phases"]:
        for st in ph["steps"]:
            yield ph["phase"], st


def problems(pb, name, table):
    """Every problem found in one playbook, as strings (empty: fine)."""
    out = []
    say = out.append
    if set(pb) - PB_KEYS:
        say("unknown keys %s" % sorted(set(pb) - PB_KEYS))
    if PB_REQUIRED - set(pb):
        return out + ["missing keys %s" % sorted(PB_REQUIRED - set(pb))]
    if pb["name"] != name:
        say("name %r is not the file's %r" % (pb["name"], name))
    for k in ("title_zh", "description_zh"):
        if not CJK.search(pb[k] or ""):
            say("%s has no Chinese" % k)
    if table.get(pb["category"], "absent") is not None:
        say("category %r is not a category of the table" % pb["category"])
    if table.get(pb["subcategory"]) != pb["category"]:
        say("subcategory %r is not under %r" % (pb["subcategory"], pb["category"]))
    if pb["grade"] not in GRADES:
        say("default grade %r" % pb["grade"])
    if [g.get("grade") for g in pb["grades"]] != GRADES:
        say("grades listed %r, want I..IV in order" % [g.get("grade") for g in pb["grades"]])
    for g in pb["grades"]:
        if not (g.get("criteria") and CJK.search(g.get("criteria_zh") or "")):
            say("grade %s lacks criteria or criteria_zh" % g.get("grade"))
    if [p.get("phase") for p in pb["phases"]] != PHASES:
        say("phases %r, want %r" % ([p.get("phase") for p in pb["phases"]], PHASES))
    steps = {}
    for phase, st in steps_of(pb):
        n = st.get("name", "?")
        if n in steps:
            say("step %s twice" % n)
        steps[n] = st
        if set(st) - STEP_KEYS:
            say("%s: unknown keys %s" % (n, sorted(set(st) - STEP_KEYS)))
        if STEP_REQUIRED - set(st):
            say("%s: missing %s" % (n, sorted(STEP_REQUIRED - set(st))))
        if not re.fullmatch(r"[a-z][a-z0-9_]*", n):
            say("%s: bad step name" % n)
        for k in ("title_zh", "do_zh"):
            if not CJK.search(st.get(k) or ""):
                say("%s: %s has no Chinese" % (n, k))
        if not target_ok(st.get("owner", "")):
            say("%s: owner %r is not duty or kind:KIND" % (n, st.get("owner")))
        for t in st.get("tell", []):
            if not target_ok(t):
                say("%s: tell %r is not duty or kind:KIND" % (n, t))
        if st.get("tell") and not (st.get("message") and CJK.search(st.get("message_zh") or "")):
            say("%s: tells without message and message_zh" % n)
        for k in ("message", "message_zh", "do", "do_zh"):
            text = st.get(k) or ""
            for var in re.findall(r"\{([^{}]*)\}", text):
                if k.startswith("do") or var not in PLACEHOLDERS:
                    say("%s: %s has the placeholder {%s}" % (n, k, var))
            if text.count("{") != text.count("}"):
                say("%s: %s has unbalanced braces" % (n, k))
        if st.get("report", "none") not in ("none", "regulator", "department"):
            say("%s: report %r" % (n, st.get("report")))
        for g in st.get("grades", []):
            if g not in GRADES:
                say("%s: grade %r" % (n, g))
        try:
            st["_ms"] = duration_ms(st["within"]) if "within" in st else None
        except ValueError as e:
            say("%s: %s" % (n, e))
            st["_ms"] = None
    for n, st in steps.items():
        for need in st.get("needs", []):
            if need not in steps:
                say("%s needs unknown step %r" % (n, need))
            elif need == n:
                say("%s needs itself" % n)
            elif st["_ms"] is not None and steps[need]["_ms"] is not None \
                    and steps[need]["_ms"] > st["_ms"]:
                say("%s (within %s) is due before %s (within %s) that it needs"
                    % (n, st["within"], need, steps[need]["within"]))
            elif st["_ms"] is not None and steps[need]["_ms"] is None \
                    and steps[need].get("report") != "regulator":
                say("%s has a deadline but needs %s that has none" % (n, need))
    # cycles: depth-first search over needs
    state = {}

    def visit(n, path):
        if state.get(n) == 1:
            say("cycle: %s" % " -> ".join(path + [n]))
            return
        if state.get(n) == 2 or n not in steps:
            return
        state[n] = 1
        for need in steps[n].get("needs", []):
            visit(need, path + [n])
        state[n] = 2

    for n in steps:
        visit(n, [])
    reg = [s for s in steps.values() if s.get("report") == "regulator"]
    if len(reg) != 1:
        say("%d regulator report steps, want 1" % len(reg))
    for s in reg:
        if "within" in s:
            say("%s: a regulator step's deadline comes from incident.reporting, not within" % s["name"])
        if s.get("grades") != ["I", "II", "III"]:
            say("%s: regulator step grades %r, want [I, II, III]" % (s["name"], s.get("grades")))
        for need in s.get("needs", []):
            if need in steps and (steps[need]["_ms"] or 0) > 3600000:
                say("%s needs %s, due after the 1 h CII deadline" % (s["name"], need))
    if not any(s.get("report") == "department" for s in steps.values()):
        say("no department report step")
    if "review" not in steps or not steps["review"].get("needs"):
        say("no review step after the others")
    first = pb["phases"][0]["steps"][0] if pb["phases"] and pb["phases"][0]["steps"] else {}
    if first.get("_ms") is None or first["_ms"] > 30 * 60000:
        say("the first confirm step is not due within 30 minutes")
    told = {t for s in steps.values() for t in s.get("tell", [])}
    for kind in ("kind:management", "kind:business", "kind:customer_service"):
        if kind not in told:
            say("%s is never told" % kind)
    return out


class BuiltinPlaybooks(unittest.TestCase):
    def test_the_nine_are_there_and_nothing_else(self):
        have = sorted(f[:-5] for f in os.listdir(PLAYBOOKS) if f.endswith(".yaml"))
        self.assertEqual(have, sorted(BUILTIN))

    def test_each_holds_together(self):
        table = class_table()
        self.assertGreaterEqual(len(table), 85)
        for name in BUILTIN:
            with self.subTest(playbook=name):
                self.assertEqual(problems(load(name), name, table), [])

    def test_checker_catches_what_it_should(self):
        """The checks above can fail: a broken copy of a playbook is refused for each fault."""
        table = class_table()
        faults = {
            "unknown step": lambda pb: pb["phases"][1]["steps"][0].setdefault("needs", []).append("nope"),
            "cycle": lambda pb: pb["phases"][0]["steps"][0].__setitem__("needs", ["assess"]),
            "due before": lambda pb: pb["phases"][0]["steps"][1].__setitem__("within", "1m"),
            "owner": lambda pb: pb["phases"][0]["steps"][0].__setitem__("owner", "person:alice"),
            "regulator within": lambda pb: [s.__setitem__("within", "1h") for _, s in steps_of(pb)
                                            if s.get("report") == "regulator"],
            "code": lambda pb: pb.__setitem__("subcategory", "MPRANS" if pb["category"] != "MP" else "NADOS"),
            "grade criteria": lambda pb: pb["grades"].pop(),
            "placeholder": lambda pb: pb["phases"][0]["steps"][2].__setitem__("message", "see {nope}"),
        }
        for what, break_it in faults.items():
            with self.subTest(fault=what):
                pb = load("ddos")
                break_it(pb)
                self.assertNotEqual(problems(pb, "ddos", table), [], what)

    def test_the_validator_accepts_them(self):
        """`keepwatch incident playbook check` on every file, once the binary has it."""
        binary = os.environ.get("KEEPWATCH_BIN", "keepwatch")
        try:
            p = subprocess.run([binary, "incident", "playbook", "check", "--help"],
                               capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.skipTest("no keepwatch binary")
        if p.returncode != 0:
            self.skipTest("this keepwatch has no `incident playbook check`")
        files = [os.path.join(PLAYBOOKS, n + ".yaml") for n in BUILTIN]
        p = subprocess.run([binary, "incident", "playbook", "check", *files],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
