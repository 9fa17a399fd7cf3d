/* incident_class.c: the GB/T 20986-2023 classification table: the ten categories (5.2 of the
 * standard) and their sub-categories, each category followed by its own.
 *
 * What is confirmed and from where (doc/incident.md, "Classification", names the sources):
 * - the ten category names and that there are ten: the standard's foreword as summarised by
 *   several standard-text sites, and the provisional table this replaces;
 * - the sub-category names (Chinese): one detailed secondary source, a SIEM database schema
 *   published on GitHub that lists all of them with their definitions; the counts it gives
 *   (10 malicious program, 21 network attack, 12 data security) agree with the public
 *   summaries of the standard. The English names are ours.
 * - NOT confirmed: the codes. The codes below (category MP, NA, ...; sub-category MPRANS,
 *   NADOS, ...) are the ones that same schema uses beside the standard's names; the text of
 *   Annex B itself could not be read. They replace the earlier guesses (MPI, NAI, ...);
 *   doc/incident.md lists old -> new. One name is mended: the schema's "其他违规操作事" is
 *   "其他违规操作事件". Check against the standard before relying on the codes in a report. */
#include "incident/incident_class.h"

#include <string.h>

#define CAT(code, zh, en) {code, NULL, zh, en}
#define SUB(parent, code, zh, en) {code, parent, zh, en}

static const incident_class classes[] = {
    CAT("MP", "恶意程序事件", "malicious program incident"),
    SUB("MP", "MPEVIR", "计算机病毒事件", "computer virus incident"),
    SUB("MP", "MPWORM", "网络蠕虫事件", "network worm incident"),
    SUB("MP", "MPTROJ", "特洛伊木马事件", "trojan horse incident"),
    SUB("MP", "MPZOMB", "僵尸网络事件", "botnet incident"),
    SUB("MP", "MPWEB", "恶意代码内嵌网页事件", "web page with embedded malicious code incident"),
    SUB("MP", "MPHOST", "恶意代码宿主站点事件", "malicious code hosting site incident"),
    SUB("MP", "MPRANS", "勒索软件事件", "ransomware incident"),
    SUB("MP", "MPMINER", "挖矿病毒事件", "cryptomining malware incident"),
    SUB("MP", "MPHYBR", "混合攻击程序事件", "blended attack program incident"),
    SUB("MP", "MPOTH", "其他恶意程序事件", "other malicious program incident"),

    CAT("NA", "网络攻击事件", "network attack incident"),
    SUB("NA", "NASCAN", "网络扫描探测事件", "network scanning and probing incident"),
    SUB("NA", "NAPHISH", "网络钓鱼事件", "phishing incident"),
    SUB("NA", "NAEXPLOIT", "漏洞利用事件", "vulnerability exploitation incident"),
    SUB("NA", "NABACKDOOR", "后门利用事件", "backdoor exploitation incident"),
    SUB("NA", "NABACKIMPL", "后门植入事件", "backdoor implantation incident"),
    SUB("NA", "NACRED", "凭据攻击事件", "credential attack incident"),
    SUB("NA", "NASIGINT", "信号干扰事件", "signal interference incident"),
    SUB("NA", "NADOS", "拒绝服务事件", "denial of service incident"),
    SUB("NA", "NAWEBMOD", "网页篡改事件", "web page defacement incident"),
    SUB("NA", "NALINK", "暗链植入事件", "hidden link implantation incident"),
    SUB("NA", "NADNSHIJ", "域名劫持事件", "domain name hijacking incident"),
    SUB("NA", "NATRANSFER", "域名转嫁事件", "domain name redirection incident"),
    SUB("NA", "NADNSPOLL", "DNS污染事件", "DNS poisoning incident"),
    SUB("NA", "NAWLANH", "WLAN劫持事件", "WLAN hijacking incident"),
    SUB("NA", "NATRAFHIJ", "流量劫持事件", "traffic hijacking incident"),
    SUB("NA", "NABGPATT", "BGP劫持攻击事件", "BGP hijacking incident"),
    SUB("NA", "NABRDCAST", "广播欺诈事件", "broadcast spoofing incident"),
    SUB("NA", "NAHACKED", "失陷主机事件", "compromised host incident"),
    SUB("NA", "NASUPPLY", "供应链攻击事件", "supply chain attack incident"),
    SUB("NA", "NAAPT", "APT事件", "advanced persistent threat incident"),
    SUB("NA", "NAOTH", "其他网络攻击事件", "other network attack incident"),

    CAT("DS", "数据安全事件", "data security incident"),
    SUB("DS", "DSDATAALTER", "数据篡改事件", "data tampering incident"),
    SUB("DS", "DSDATAFAKE", "数据假冒事件", "data forgery incident"),
    SUB("DS", "DSDATALEAK", "数据泄露事件", "data leak incident"),
    SUB("DS", "DSSOCENG", "社会工程事件", "social engineering incident"),
    SUB("DS", "DSDATASTEAL", "数据窃取事件", "data theft incident"),
    SUB("DS", "DSDATAINTER", "数据拦截事件", "data interception incident"),
    SUB("DS", "DSLOCDETECT", "位置检测事件", "location detection incident"),
    SUB("DS", "DSDATAPOLL", "数据投毒事件", "data poisoning incident"),
    SUB("DS", "DSDATAABUSE", "数据滥用事件", "data misuse incident"),
    SUB("DS", "DSPRIVACY", "隐私侵犯事件", "privacy infringement incident"),
    SUB("DS", "DSDATALOSS", "数据损失事件", "data loss incident"),
    SUB("DS", "DSOTH", "其他数据安全事件", "other data security incident"),

    CAT("IC", "信息内容安全事件", "information content security incident"),
    SUB("IC", "ICRADICAL", "反动宣传事件", "subversive propaganda incident"),
    SUB("IC", "ICTERROR", "暴恐宣扬事件", "terrorism and violence promotion incident"),
    SUB("IC", "ICPORN", "色情传播事件", "pornography dissemination incident"),
    SUB("IC", "ICFAKENEWS", "虚假信息传播事件", "false information dissemination incident"),
    SUB("IC", "ICRIGHTS", "权益侵害事件", "rights infringement incident"),
    SUB("IC", "ICSPAM", "信息滥发事件", "unsolicited information (spam) incident"),
    SUB("IC", "ICFRAUD", "网络欺诈事件", "online fraud incident"),
    SUB("IC", "ICOTH", "其他信息内容安全事件", "other information content security incident"),

    CAT("DE", "设备设施故障事件", "equipment and facility failure incident"),
    SUB("DE", "DETECH", "技术故障事件", "technical failure incident"),
    SUB("DE", "DEACCFAC", "配套设施故障事件", "supporting facility failure incident"),
    SUB("DE", "DEPHYS", "物理损害事件", "physical damage incident"),
    SUB("DE", "DERADINT", "辐射干扰事件", "radiation interference incident"),
    SUB("DE", "DEOTH", "其他设备设施故障事件", "other equipment and facility failure incident"),

    CAT("RO", "违规操作事件", "rule-violating operation incident"),
    SUB("RO", "ROPABUSE", "权限滥用事件", "privilege abuse incident"),
    SUB("RO", "ROPFAKE", "权限伪造事件", "privilege forgery incident"),
    SUB("RO", "ROPDENY", "行为抵赖事件", "repudiation incident"),
    SUB("RO", "ROPINTENT", "故意违规操作事件", "deliberate violation incident"),
    SUB("RO", "ROPMISTAKE", "误操作事件", "operator error incident"),
    SUB("RO", "ROPUAVAIL", "人员可用性破坏事件", "staff availability loss incident"),
    SUB("RO", "ROPNOUNAUTH", "资源未授权使用事件", "unauthorised use of resources incident"),
    SUB("RO", "ROPO", "其他违规操作事件", "other rule-violating operation incident"),

    CAT("SHE", "安全隐患事件", "security hidden danger incident"),
    SUB("SHE", "SHEVULN", "网络漏洞事件", "network vulnerability incident"),
    SUB("SHE", "SHECONFIG", "网络配置合规缺陷事件", "non-compliant network configuration incident"),
    SUB("SHE", "SHEOTH", "其他安全隐患事件", "other security hidden danger incident"),

    CAT("AB", "异常行为事件", "abnormal behaviour incident"),
    SUB("AB", "ABACCESS", "访问异常事件", "abnormal access incident"),
    SUB("AB", "ABTRAFFIC", "流量异常事件", "abnormal traffic incident"),
    SUB("AB", "ABOTH", "其他异常行为事件", "other abnormal behaviour incident"),

    CAT("FOC", "不可抗力事件", "force majeure incident"),
    SUB("FOC", "FOCDISASTER", "自然灾害事件", "natural disaster incident"),
    SUB("FOC", "FOCACCIDENT", "事故灾难事件", "accident and disaster incident"),
    SUB("FOC", "FOCHEALTH", "公共卫生事件", "public health incident"),
    SUB("FOC", "FOCSOCIALSEC", "社会安全事件", "social security (public order) incident"),
    SUB("FOC", "FOCOTH", "其他不可抗力事件", "other force majeure incident"),

    CAT("OTH", "其他事件", "other incident"),
};

const incident_class *incident_class_at(size_t i)
{
    return i < sizeof classes / sizeof *classes ? &classes[i] : NULL;
}

const incident_class *incident_class_find(const char *code)
{
    for (size_t i = 0; code && i < sizeof classes / sizeof *classes; i++)
        if (strcmp(classes[i].code, code) == 0)
            return &classes[i];
    return NULL;
}
