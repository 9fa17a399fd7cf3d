/* A cache of open /proc/PID/NAME files, read with pread on every scan instead of being
 * opened again: the path lookup, not the read, is most of the cost of watching every
 * process each second. A process that exits fails its pread and is dropped; a recycled pid
 * is a new directory entry and is reopened. At most max_open files are kept; past that,
 * files are opened and closed per scan. */
#ifndef HOST_PROCFS_H
#define HOST_PROCFS_H

#include <stddef.h>

typedef struct proc_files proc_files;

proc_files *proc_files_new(const char *proc_root, const char *name, size_t max_open);
void proc_files_free(proc_files *pf);
/* Calls fn once per live process with the file's first bytes (at most 4095, NUL-terminated).
 * Returns the number of processes seen, or -1 if the proc root cannot be listed. */
long proc_files_scan(proc_files *pf, void (*fn)(void *arg, int pid, const char *buf, size_t len), void *arg);
/* How many descriptors to allow all caches together: a quarter of RLIMIT_NOFILE, after
 * raising its soft limit to the hard one. */
size_t proc_files_budget(void);

#endif
