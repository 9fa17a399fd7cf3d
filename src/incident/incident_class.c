/* incident_class.c: the GB/T 20986-2023 classification table. PROVISIONAL: the ten category
 * names are the standard's; the codes are to be checked against its Annex B and the
 * sub-categories added (doc/incident.md names the sources). */
#include "incident/incident_class.h"

#include <string.h>

static const incident_class classes[] = {
    {"MPI", NULL, "恶意程序事件", "malicious program incident"},
    {"NAI", NULL, "网络攻击事件", "network attack incident"},
    {"DSI", NULL, "数据安全事件", "data security incident"},
    {"ICSI", NULL, "信息内容安全事件", "information content security incident"},
    {"EFI", NULL, "设备设施故障事件", "equipment and facility failure incident"},
    {"VOI", NULL, "违规操作事件", "violation operation incident"},
    {"SHI", NULL, "安全隐患事件", "security hidden danger incident"},
    {"ABI", NULL, "异常行为事件", "abnormal behaviour incident"},
    {"FMI", NULL, "不可抗力事件", "force majeure incident"},
    {"OI", NULL, "其他事件", "other incident"},
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
