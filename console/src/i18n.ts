// Chinese and English. The browser's language chooses at first; the switch is remembered.

const zh = {
  title: "keepwatch 重保值守台",
  signin: "登录",
  signout: "退出",
  name: "用户名",
  password: "密码",
  wrong: "用户名或密码错误",
  wait: "错误次数过多，请 {s} 秒后再试",
  overview: "总览",
  alerts: "告警",
  duty: "值班",
  hosts: "主机与网络",
  period: "重保期",
  startsIn: "距开始",
  endsIn: "距结束",
  periodOver: "重保期已结束",
  noPeriod: "未配置重保期",
  firing: "告警中",
  acked: "已确认",
  resolved: "已恢复",
  open: "未关闭",
  all: "全部",
  bySeverity: "按级别的未关闭告警",
  assets: "重点资产",
  onDuty: "当前值班",
  nobody: "无人值班",
  until: "至",
  next: "下一班",
  dutyLog: "值班日志",
  intact: "完整（已校验 {n} 条）",
  broken: "已被篡改：第 {id} 条 — {why}",
  critical: "严重",
  high: "高",
  medium: "中",
  low: "低",
  ok: "正常",
  ack: "确认",
  resolve: "关闭",
  note: "备注",
  addNote: "写入值班日志",
  history: "处置时间线",
  rule: "规则",
  summary: "摘要",
  started: "开始",
  state: "状态",
  severity: "级别",
  labels: "标签",
  none: "暂无",
  shifts: "排班（未来 7 天）",
  cpu: "CPU 使用率",
  more: "更多",
  forbidden: "无权限",
  failed: "操作失败",
};
type Key = keyof typeof zh;
const en: Record<Key, string> = {
  title: "keepwatch duty desk",
  signin: "Sign in",
  signout: "Sign out",
  name: "Name",
  password: "Password",
  wrong: "Wrong name or password",
  wait: "Too many wrong passwords: try again in {s} s",
  overview: "Overview",
  alerts: "Alerts",
  duty: "Duty",
  hosts: "Hosts & network",
  period: "Protection period",
  startsIn: "starts in",
  endsIn: "ends in",
  periodOver: "The protection period is over",
  noPeriod: "No protection period configured",
  firing: "firing",
  acked: "acknowledged",
  resolved: "resolved",
  open: "open",
  all: "all",
  bySeverity: "Open alerts by severity",
  assets: "Protected assets",
  onDuty: "On duty now",
  nobody: "nobody on duty",
  until: "until",
  next: "next",
  dutyLog: "Duty log",
  intact: "intact ({n} entries checked)",
  broken: "TAMPERED: entry {id}: {why}",
  critical: "critical",
  high: "high",
  medium: "medium",
  low: "low",
  ok: "ok",
  ack: "Acknowledge",
  resolve: "Resolve",
  note: "Note",
  addNote: "Write to the duty log",
  history: "Timeline",
  rule: "Rule",
  summary: "Summary",
  started: "Started",
  state: "State",
  severity: "Severity",
  labels: "Labels",
  none: "none",
  shifts: "Shifts (next 7 days)",
  cpu: "CPU usage",
  more: "More",
  forbidden: "Not allowed",
  failed: "Failed",
};

export type Lang = "zh" | "en";

export function lang(): Lang {
  const saved = localStorage.getItem("kw-lang");
  if (saved === "zh" || saved === "en") return saved;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function setLang(l: Lang): void {
  localStorage.setItem("kw-lang", l);
  document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
}

export function t(k: Key, vars: Record<string, string | number> = {}): string {
  let s = (lang() === "zh" ? zh : en)[k];
  for (const [n, v] of Object.entries(vars)) s = s.replace(`{${n}}`, String(v));
  return s;
}

export function sev(s: string): string {
  return s === "critical" || s === "high" || s === "medium" || s === "low" ? t(s) : s;
}
